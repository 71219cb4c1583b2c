/**
 * `ecg-ldm data ...` commands: `prepare` (dataset -> reference NPZ + split file) and
 * `download` (PhysioNet dataset with resume and SHA-256 checks), plus `inspect`.
 * @module
 */
import * as fs from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../errors';
import { listAfpdbRecords } from '../data/adapters/afpdb';
import { listGenericRecords } from '../data/adapters/generic';
import { listLudbRecords } from '../data/adapters/ludb';
import { listPtbxlRecords } from '../data/adapters/ptbxl';
import type { DatasetListing } from '../data/adapters/types';
import { downloadDataset, PHYSIONET_DATASETS, type DownloadProgress } from '../data/download';
import { parseLabelMap, type LabelMap } from '../data/label-map';
import { readNpz } from '../data/npz';
import { prepareDataset, prepareSegments, type PrepareSummary } from '../data/prepare';
import { readSegmentCsv, readSegmentNpz } from '../data/segment-table';
import { progressBar } from './progress-bar';

const DATASETS = ['ptbxl', 'ludb', 'afpdb', 'generic'] as const;

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return Number(value);
}

function nonNegativeInt(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError(`expected an integer, got "${value}"`);
  return Number(value);
}

function positiveNumber(value: string): number {
  const v = Number(value);
  if (!Number.isFinite(v) || v <= 0) throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return v;
}

function fraction(value: string): number {
  const v = Number(value);
  if (!Number.isFinite(v) || v < 0 || v > 1) throw new InvalidArgumentError(`expected a number in [0, 1], got "${value}"`);
  return v;
}

function fractions(value: string): { train: number; val: number; test: number } {
  const parts = value.split(',').map(Number);
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p) || p < 0) || Math.abs(parts[0]! + parts[1]! + parts[2]! - 1) > 1e-9) {
    throw new InvalidArgumentError(`expected three fractions adding up to 1, e.g. 0.6,0.2,0.2, got "${value}"`);
  }
  return { train: parts[0]!, val: parts[1]!, test: parts[2]! };
}

function collectLeads(value: string, previous: (string | number)[] | undefined): (string | number)[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  return [...(previous ?? []), ...items];
}

function readLabelMap(file: string): LabelMap {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read label map ${file}: ${(err as Error).message}`);
  }
  return parseLabelMap(json);
}

/**
 * Formats a prepare summary: segments per label per set, patients, drops, skips.
 * @param s - from {@link prepareDataset} or {@link prepareSegments}
 * @example
 * console.log(formatPrepareSummary(await prepareDataset(listing, { out: 'out/' })));
 */
export function formatPrepareSummary(s: PrepareSummary): string {
  const sets = Object.keys(s.patients);
  const labels = s.classes.map((_, i) => i);
  const rows = [['set', 'patients', ...s.classes.map((c, i) => `${i}:${c}`), 'total']];
  for (const set of sets) {
    const c = s.counts[set] ?? {};
    const per = labels.map((l) => c[l] ?? 0);
    rows.push([set, String(s.patients[set]), ...per.map(String), String(per.reduce((a, b) => a + b, 0))]);
  }
  const widths = rows[0]!.map((_, k) => Math.max(...rows.map((r) => r[k]!.length)));
  const lines = rows.map((r) => r.map((cell, k) => cell.padEnd(widths[k]!)).join('  '));
  lines.push(`dropped windows: ${Object.entries(s.droppedWindows).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const skipped = Object.entries(s.skippedRecords);
  lines.push(`skipped records: ${skipped.length ? skipped.map(([k, v]) => `${k} ${v}`).join(', ') : 'none'}`);
  lines.push(`files: ${Object.values(s.files).join(', ')}`);
  lines.push(`split file: ${s.splitFile}`);
  return lines.join('\n');
}

interface PrepareFlags {
  dataset: (typeof DATASETS)[number];
  source: string;
  out: string;
  split?: string;
  length: number;
  stride?: number;
  lead?: (string | number)[];
  rate?: number;
  seed: number;
  fractions?: { train: number; val: number; test: number };
  folds?: number;
  flatFraction: number;
  labelMap?: string;
  ptbxlRate: number;
  compress?: boolean;
  lenient?: boolean;
}

function listRecords(f: PrepareFlags): DatasetListing {
  const common = { labelMap: f.labelMap ? readLabelMap(f.labelMap) : undefined, lenient: f.lenient ?? false };
  switch (f.dataset) {
    case 'ptbxl': {
      if (f.ptbxlRate !== 100 && f.ptbxlRate !== 500) throw new ConfigError('Invalid option', [`--ptbxl-rate: expected 100 or 500, got ${f.ptbxlRate}`]);
      return listPtbxlRecords(f.source, { ...common, rate: f.ptbxlRate });
    }
    case 'ludb': return listLudbRecords(f.source, common);
    case 'afpdb': return listAfpdbRecords(f.source, common);
    case 'generic': return listGenericRecords(f.source, common);
  }
}

/**
 * Registers `data prepare`, `data download` and `data inspect` on the program.
 * @param program - the root `ecg-ldm` command
 * @returns the `data` command
 * @example
 * registerDataCommands(program);
 * // ecg-ldm data prepare --dataset ludb --source ../shared/data/ludb --out out/ --lead ii
 */
export function registerDataCommands(program: Command): Command {
  const data = program.command('data').description('read, prepare and download ECG datasets');

  data.command('prepare')
    .description('cut a dataset into labelled segments: NPZ files in the reference layout (data float32 [N, L, C], label int64 [N]) plus a patient split file')
    .addOption(new Option('--dataset <name>', 'dataset adapter').choices(DATASETS).makeOptionMandatory())
    .requiredOption('--source <dir>', 'dataset folder (generic: also an .npz in the reference layout or a one-segment-per-row .csv)')
    .requiredOption('--out <path>', 'output folder (one NPZ per split set) or a single .npz file')
    .option('--split <file>', 'split file: used when it exists, else created (default <out>/split.json)')
    .option('--length <n>', 'samples per segment', positiveInt, 2048)
    .option('--stride <n>', 'samples between segment starts (default: --length)', positiveInt)
    .option('--lead <names>', 'lead name or index, repeatable or comma-separated (default: the dataset\'s lead II / ECG0 / 0)', collectLeads)
    .option('--rate <hz>', 'resample to this rate (polyphase, Kaiser-windowed sinc)', positiveNumber)
    .option('--seed <n>', 'split seed', nonNegativeInt, 0)
    .option('--fractions <f>', 'train,val,test fractions of patients (default 0.6,0.2,0.2)', fractions)
    .option('--folds <k>', 'k-fold split by patient instead of train/val/test', positiveInt)
    .option('--flat-fraction <f>', 'drop a window when a lead is flat for this fraction of it (0 disables)', fraction, 0.5)
    .option('--label-map <file>', 'JSON label map replacing the dataset default')
    .option('--ptbxl-rate <hz>', 'PTB-XL records to read: 100 (records100) or 500 (records500)', positiveInt, 100)
    .option('--compress', 'deflate the NPZ files like np.savez_compressed')
    .option('--lenient', 'skip (and count) records with missing labels/patients, bad checksums or unreadable files')
    .action(async (flags: PrepareFlags) => {
      // A generic source may also be ready-cut segments: an NPZ or a one-segment-per-row CSV.
      if (flags.dataset === 'generic' && /\.(npz|csv)$/i.test(flags.source)) {
        const isNpz = /\.npz$/i.test(flags.source);
        const segments = isNpz ? readSegmentNpz(flags.source) : readSegmentCsv(flags.source);
        const summary = await prepareSegments(segments, {
          out: flags.out, splitFile: flags.split, seed: flags.seed, k: flags.folds, compress: flags.compress ?? false,
          ...(flags.fractions ? { fractions: flags.fractions } : {}),
        });
        const note = isNpz && (segments as { ownPatients?: boolean }).ownPatients ? ' (no "patient" array: each segment is its own patient)' : '';
        process.stdout.write(`generic: ${segments.shape[0]} segments${note}\n${formatPrepareSummary(summary)}\n`);
        return;
      }
      const listing = listRecords(flags);
      const bar = progressBar('prepare');
      const summary = await prepareDataset(listing, {
        out: flags.out,
        splitFile: flags.split,
        length: flags.length,
        stride: flags.stride,
        leads: flags.lead,
        rate: flags.rate,
        seed: flags.seed,
        ...(flags.fractions ? { fractions: flags.fractions } : {}),
        k: flags.folds,
        flatFraction: flags.flatFraction,
        compress: flags.compress ?? false,
        lenient: flags.lenient ?? false,
        onProgress: (done, total) => bar.update(done, total),
      });
      bar.end();
      process.stdout.write(`${listing.dataset}: ${listing.records.length} records\n${formatPrepareSummary(summary)}\n`);
    });

  data.command('download')
    .description('download a PhysioNet dataset with resume (HTTP Range), retries and SHA-256 verification')
    .argument('<dataset>', `one of ${Object.keys(PHYSIONET_DATASETS).join(', ')} (any name with --base-url)`)
    .requiredOption('--to <dir>', 'destination folder')
    .option('--base-url <url>', 'project URL (default: the PhysioNet project)')
    .option('--include <regex>', 'only files whose path matches')
    .option('--exclude <regex>', 'skip files whose path matches (ptbxl default: ^records500/)')
    .option('--retries <n>', 'attempts per file', positiveInt, 5)
    .action(async (dataset: string, flags: { to: string; baseUrl?: string; include?: string; exclude?: string; retries: number }) => {
      const bar = progressBar('download');
      const summary = await downloadDataset(dataset, {
        to: flags.to, baseUrl: flags.baseUrl, include: flags.include, exclude: flags.exclude, retries: flags.retries,
        onProgress: (p: DownloadProgress) => bar.update(p.filesDone, p.filesTotal, `${p.file} ${(p.fileBytes / 1e6).toFixed(1)} MB`),
      });
      bar.end();
      process.stdout.write(`${dataset}: ${summary.files} files, ${summary.downloaded} downloaded (${summary.resumed} resumed, ${(summary.bytes / 1e6).toFixed(1)} MB), ${summary.skipped} already present; checksums ${summary.verified ? 'verified' : 'not published (RECORDS listing)'}\n`);
    });

  data.command('inspect')
    .description('print the arrays of an NPZ file and the label counts')
    .argument('<file>', 'an .npz file')
    .action((file: string) => {
      const arrays = readNpz(file);
      for (const [name, a] of Object.entries(arrays)) process.stdout.write(`${name}: ${a.dtype} (${a.shape.join(', ')})\n`);
      const label = arrays['label'];
      if (label) {
        const counts = new Map<number, number>();
        for (const v of label.data as Iterable<number | bigint>) counts.set(Number(v), (counts.get(Number(v)) ?? 0) + 1);
        process.stdout.write(`labels: ${[...counts].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}: ${v}`).join(', ')}\n`);
      }
    });
  return data;
}
