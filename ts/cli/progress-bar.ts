/**
 * The CLI's one-line progress bar on stderr: redrawn in place (at most every 100 ms) when
 * stderr is a terminal, printed once as a final line otherwise (logs stay readable).
 * @module
 */

/** A progress bar: `update` as work advances, `end` once. */
export interface ProgressBar {
  update(done: number, total: number, note?: string): void;
  end(): void;
}

/**
 * Creates a progress bar labelled `label`.
 * @example
 * const bar = progressBar('train'); bar.update(3, 10, 'loss 0.5'); bar.end();
 */
export function progressBar(label: string): ProgressBar {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  let lastLine = '';
  return {
    update(done, total, note = '') {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const width = 30;
      const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
      const pct = total > 0 ? Math.floor((done / total) * 100) : 0;
      lastLine = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${done}/${total} ${note}`;
      if (tty) process.stderr.write(`\r${lastLine.slice(0, 120).padEnd(120)}`);
    },
    end() {
      process.stderr.write(tty ? '\n' : lastLine ? `${lastLine}\n` : '');
    },
  };
}
