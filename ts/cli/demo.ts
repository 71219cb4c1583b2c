import type { Command } from 'commander';
import { loadDefaultDataset, DEFAULT_DATA_SETS, defaultDataPath } from '../data/default-data';
import { NpzWriter } from '../data/npz';
import { assertOneOf } from '../is';
import { info } from '../info';
import { DEFAULT_PIPELINE, runPipeline } from '../preprocess/pipeline';

/** Mean of per-segment standard deviations, per label. */
function spreadByLabel(data: Float32Array, labels: Int32Array, length: number): Map<number, number> {
  const sums = new Map<number, { total: number; count: number }>();
  for (let s = 0; s < labels.length; s++) {
    let mean = 0;
    for (let i = 0; i < length; i++) mean += data[s * length + i]!;
    mean /= length;
    let v = 0;
    for (let i = 0; i < length; i++) v += (data[s * length + i]! - mean) ** 2;
    const entry = sums.get(labels[s]!) ?? { total: 0, count: 0 };
    entry.total += Math.sqrt(v / length);
    entry.count += 1;
    sums.set(labels[s]!, entry);
  }
  return new Map([...sums].map(([label, { total, count }]) => [label, total / count]));
}

/**
 * `ecg-ldm demo`: the main job on the bundled LUDB set — until the generator pipeline
 * lands, the seed's preprocessing run natively on every set, with counts and timings.
 */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('preprocess the bundled LUDB set (sym8 level-8 wavelet denoise, normalise, edge smoothing) natively and report')
    .option('--set <name>', `one of ${DEFAULT_DATA_SETS.join(', ')}, or all`, 'all')
    .option('--out <dir>', 'also write the preprocessed sets as NPZ files (reference layout) into this folder')
    .action(async (opts: { set: string; out?: string }) => {
      const sets = opts.set === 'all' ? [...DEFAULT_DATA_SETS] : [assertOneOf('--set', opts.set, DEFAULT_DATA_SETS)];
      const i = info();
      process.stdout.write(`ecg-ldm ${i.version} on LibTorch ${i.torch.version} (${i.threads} threads); data: ${defaultDataPath()}\n`);
      for (const set of sets) {
        const { data, shape, labels } = loadDefaultDataset(set);
        const started = process.hrtime.bigint();
        const clean = await runPipeline(data, shape, DEFAULT_PIPELINE);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const counts = new Map<number, number>();
        for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
        const spread = spreadByLabel(clean, labels, shape[1] * shape[2]);
        const perLabel = [...counts].sort(([a], [b]) => a - b)
          .map(([l, c]) => `label ${l}: ${c} segments, mean std ${spread.get(l)!.toFixed(4)}`).join('; ');
        process.stdout.write(
          `${set.padEnd(5)} ${shape[0]} x ${shape[1]} x ${shape[2]} preprocessed in ${ms.toFixed(1)} ms ` +
            `(${((shape[0] / ms) * 1000).toFixed(0)} segments/s) — ${perLabel}\n`,
        );
        if (opts.out) {
          const file = require('node:path').join(opts.out, `${set}.npz`);
          require('node:fs').mkdirSync(opts.out, { recursive: true });
          const writer = new NpzWriter(file, { length: shape[1], channels: shape[2] });
          writer.append(clean, labels);
          await writer.close();
          process.stdout.write(`      wrote ${file}\n`);
        }
      }
    });
}
