// `ecg-ldm demo`, the README's main job, end to end on the bundled set with a short
// generator run: its report lines and the files it writes.
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readSegmentNpz } from 'ecg-ldm';

const CLI = path.resolve(__dirname, '../../../lib/cli.js');

test('demo: preprocesses, trains the CPU recipe briefly, samples per label and compares with real segments', async (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ecg-ldm-demo-'));
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'demo', '--set', 'train', '--steps', '3', '--per-label', '6', '--out', out]);
  t.regex(stdout, /train 240 x 2048 x 1 preprocessed/);
  t.regex(stdout, /generator: UNet1d \(CPU recipe\), 3 steps .* 12 segments sampled/);
  t.regex(stdout, /random forest real vs generated \(patient-held-out\): accuracy [01]\.\d{3} \(95% CI/);
  const generated = readSegmentNpz(path.join(out, 'generated.npz'));
  t.deepEqual(generated.shape, [12, 2048, 1]);
  t.deepEqual([...generated.labels].sort(), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
  t.true(generated.data.every((v) => Number.isFinite(v) && Math.abs(v) <= 1)); // clipX0 1 on range-normalised data
  // The preprocessed set keeps its patients; the plot has a column per label and source.
  t.is(new Set(readSegmentNpz(path.join(out, 'train.npz')).patients).size, 120);
  t.is((fs.readFileSync(path.join(out, 'examples.svg'), 'utf8').match(/<polyline /g) ?? []).length, 12);
  t.true(fs.statSync(path.join(out, 'generator.safetensors')).size > 0);
  fs.rmSync(out, { recursive: true, force: true });
});
