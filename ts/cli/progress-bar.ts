/**
 * The CLI's progress bar on stderr. On a terminal it is a cli-progress bar redrawn in
 * place (at most 10 times a second) with percentage, count, ETA and the caller's note.
 * Elsewhere (CI logs, files, pipes) it prints a plain line each time another 10 % is
 * done, and the last state at `end()` if that was not printed: at most a dozen lines.
 * @module
 */
import { SingleBar } from 'cli-progress';

/** A progress bar: `update` as work advances, `end` once. */
export interface ProgressBar {
  update(done: number, total: number, note?: string): void;
  end(): void;
}

/** Where a bar is drawn: stderr, or any writable stream (tests pass their own). */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** Minimum milliseconds between two updates handed to cli-progress (the last one always goes). */
const TTY_UPDATE_MS = 100;

/**
 * cli-progress re-arms a redraw timer on every render; unref it so that a command that
 * fails before `end()` still lets Node exit.
 */
class UnrefSingleBar extends SingleBar {
  override render(): void {
    super.render();
    (this as unknown as { timer?: { unref?(): void } | null }).timer?.unref?.();
  }
}

/**
 * Creates a progress bar labelled `label`.
 * @param label - shown at the start of the line
 * @param stream - where to draw (default `process.stderr`); a TTY gets the redrawn bar,
 *   anything else one line per 10 %
 * @example
 * const bar = progressBar('train'); bar.update(3, 10, 'loss 0.5'); bar.end();
 */
export function progressBar(label: string, stream: ProgressStream = process.stderr): ProgressBar {
  return stream.isTTY === true ? terminalBar(label, stream) : logBar(label, stream);
}

function terminalBar(label: string, stream: ProgressStream): ProgressBar {
  const bar = new UnrefSingleBar({
    stream: stream as NodeJS.WritableStream,
    format: '{label} [{bar}] {percentage}% {value}/{total} eta {eta_formatted} {note}',
    barsize: 30,
    barCompleteChar: '#',
    barIncompleteChar: '.',
    fps: 10,
    // ETA over the last ~5 s of updates (they are throttled to 10 a second below).
    etaBuffer: 50,
    hideCursor: false,
  });
  let started = false;
  let ended = false;
  let last = 0;
  let total = 0;
  return {
    update(done, newTotal, note = '') {
      if (ended) return;
      const now = Date.now();
      if (!started) {
        started = true;
        total = newTotal;
        last = now;
        bar.start(newTotal, done, { label, note });
        return;
      }
      if (now - last < TTY_UPDATE_MS && done < newTotal) return;
      last = now;
      if (newTotal !== total) {
        total = newTotal;
        bar.setTotal(newTotal);
      }
      bar.update(done, { label, note });
    },
    end() {
      if (ended) return;
      ended = true;
      if (started) bar.stop();
    },
  };
}

/** Seconds as "42s", "3m05s" or "2h07m". */
function formatSeconds(s: number): string {
  const t = Math.max(0, Math.round(s));
  if (t < 60) return `${t}s`;
  if (t < 3600) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
  return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m`;
}

/** Width of the bar in log lines (the same look as the terminal bar, drawn once per line). */
const LOG_BAR_WIDTH = 30;

function logBar(label: string, stream: ProgressStream): ProgressBar {
  const started = Date.now();
  let lastDecile = 0;
  let pending: string | undefined;
  let ended = false;
  return {
    update(done, total, note = '') {
      if (ended) return;
      const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
      const elapsed = (Date.now() - started) / 1000;
      const eta = done > 0 && total > done ? ` eta ${formatSeconds((elapsed * (total - done)) / done)}` : '';
      const filled = Math.round(fraction * LOG_BAR_WIDTH);
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(LOG_BAR_WIDTH - filled)}]`;
      const line = `${label} ${bar} ${String(Math.floor(fraction * 100)).padStart(3)}% ${done}/${total} elapsed ${formatSeconds(elapsed)}${eta}${note ? ` ${note}` : ''}\n`;
      const decile = Math.floor(fraction * 10);
      if (decile > lastDecile) {
        lastDecile = decile;
        pending = undefined;
        stream.write(line);
      } else {
        pending = line;
      }
    },
    end() {
      if (ended) return;
      ended = true;
      if (pending) stream.write(pending);
      pending = undefined;
    },
  };
}
