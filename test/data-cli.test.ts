import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { readReferenceNpz, readSegmentNpz, readSplitFile, writeNpz } from 'ecg-ldm';
import { tempDir } from './helpers/data-paths';
import { randomInts, writeSyntheticRecord } from './helpers/data-wfdb-encode';
import { serveFolder } from './helpers/data-server';

// The CLI module is not part of the package's public exports; load the built file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { registerDataCommands } = require(path.resolve(__dirname, '../../../lib/cli/data.js')) as { registerDataCommands(p: Command): Command };

async function run(args: string[]): Promise<string> {
  const program = new Command('ecg-ldm').exitOverride().configureOutput({ writeErr: () => undefined });
  registerDataCommands(program);
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((c: string) => { chunks.push(String(c)); return true; }) as typeof process.stdout.write;
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    process.stdout.write = write;
  }
  return chunks.join('');
}

function genericSource(): string {
  const src = tempDir();
  const rows = ['record,label,patient'];
  for (let i = 0; i < 10; i++) {
    writeSyntheticRecord(src, `r${i}`, 212, [randomInts(600, -2000, 2000, i)], { fs: 200 });
    rows.push(`r${i},${i < 6 ? 1 : 0},p${i >> 1}`);
  }
  fs.writeFileSync(path.join(src, 'labels.csv'), rows.join('\n') + '\n');
  return src;
}

test.serial('data prepare: per-set NPZ files, split file and a summary table; the split file is reused', async (t) => {
  const src = genericSource();
  const out = tempDir();
  const text = await run(['data', 'prepare', '--dataset', 'generic', '--source', src, '--out', out, '--length', '100', '--stride', '50', '--seed', '2']);
  t.regex(text, /set\s+patients\s+0:class0\s+1:class1\s+total/);
  t.regex(text, /train\s+3\s+/);
  const split = readSplitFile(path.join(out, 'split.json'));
  t.deepEqual(Object.values(split.sets).map((s) => s.length), [3, 1, 1]);
  const train = readReferenceNpz(path.join(out, 'train.npz'));
  t.deepEqual(train.shape.slice(1), [100, 1]);
  t.is(train.shape[0] % 11, 0); // 600 samples, L 100, stride 50 -> 11 windows per record
  const single = path.join(tempDir(), 'all.npz');
  await run(['data', 'prepare', '--dataset', 'generic', '--source', src, '--out', single, '--split', path.join(out, 'split.json'), '--length', '100']);
  t.is(readReferenceNpz(single).shape[0], 60);
  await t.throwsAsync(run(['data', 'prepare', '--dataset', 'generic', '--source', src, '--out', out, '--length', 'x']), { message: /positive integer/ });
});

test.serial('data download against a local server', async (t) => {
  const src = genericSource();
  fs.writeFileSync(path.join(src, 'RECORDS'), 'r0\nr1\n');
  const server = await serveFolder(src);
  try {
    const to = tempDir();
    const text = await run(['data', 'download', 'custom', '--to', to, '--base-url', server.url]);
    t.regex(text, /custom: 5 files, 4 downloaded .*1 already present/); // RECORDS itself is fetched while listing
    t.true(fs.existsSync(path.join(to, 'r1.dat')));
  } finally {
    await server.close();
  }
});

test.serial('data prepare from ready-cut segments: one-segment-per-row CSV and NPZ with patients', async (t) => {
  const dir = tempDir();
  const lines = ['label,patient,' + Array.from({ length: 8 }, (_, i) => `s${i}`).join(',')];
  for (let i = 0; i < 20; i++) lines.push(`${i % 2},p${i >> 1},` + Array.from({ length: 8 }, (_, k) => (i * 10 + k) / 7).join(','));
  fs.writeFileSync(path.join(dir, 'seg.csv'), lines.join('\n') + '\n');
  const out = path.join(dir, 'out');
  const text = await run(['data', 'prepare', '--dataset', 'generic', '--source', path.join(dir, 'seg.csv'), '--out', out, '--seed', '1']);
  t.regex(text, /generic: 20 segments/);
  const sets = ['train', 'val', 'test'].map((s) => readReferenceNpz(path.join(out, `${s}.npz`)));
  t.is(sets.reduce((a, s) => a + s.shape[0], 0), 20);
  t.deepEqual(sets[0]!.shape.slice(1), [8, 1]);
  // The sets keep their patients (CSV "p3" -> 3), so splitting one again keeps patients whole...
  const trainPatients = readSegmentNpz(path.join(out, 'train.npz')).patients;
  t.true(trainPatients.every((p) => /^\d$/.test(p)));
  const text2 = await run(['data', 'prepare', '--dataset', 'generic', '--source', path.join(out, 'train.npz'), '--out', path.join(dir, 'again.npz')]);
  t.notRegex(text2, /each segment is its own patient/);
  t.regex(text2, new RegExp(`generic: ${trainPatients.length} segments`));
  // ...while an NPZ without a patient array makes each segment its own patient.
  const plain = readReferenceNpz(path.join(out, 'train.npz'));
  await writeNpz(path.join(dir, 'plain.npz'), {
    data: { dtype: 'f4', shape: [...plain.shape], data: plain.data },
    label: { dtype: 'i8', shape: [plain.shape[0]], data: BigInt64Array.from(plain.labels, (v) => BigInt(v)) },
  });
  const text3 = await run(['data', 'prepare', '--dataset', 'generic', '--source', path.join(dir, 'plain.npz'), '--out', path.join(dir, 'again2.npz')]);
  t.regex(text3, /each segment is its own patient/);
  fs.writeFileSync(path.join(dir, 'bad.csv'), 'label,patient,s0\n1,p,0.5\nx,p,1\n');
  await t.throwsAsync(run(['data', 'prepare', '--dataset', 'generic', '--source', path.join(dir, 'bad.csv'), '--out', out]), { message: /bad\.csv, line 3, field label/ });
});
