// `ecg-ldm demo`, the README's main job, end to end on the bundled set with a short
// generator run: its report lines and the files it writes.
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { Generator, readSegmentNpz } from 'ecg-ldm';

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

test('demo: Ctrl-C during generator training keeps the run in --out, and the same command continues it', async (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ecg-ldm-demo-resume-'));
  const args = [CLI, 'demo', '--set', 'train', '--steps', '40', '--per-label', '3', '--out', out];
  const runDir = path.join(out, 'generator-run');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // The run folder appears once the native training job has started (and the SIGINT
  // listener is in place); a few steps later, interrupt it.
  while (!fs.existsSync(runDir)) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 2000));
  child.kill('SIGINT');
  t.is(await exited, 1, stderr);
  t.regex(stderr, /E_CANCELLED: demo interrupted during generator training; the run is kept in .*generator-run: run the same command again/);
  const stopped = Generator.load(path.join(runDir, 'last.safetensors'));
  const stoppedAt = stopped.config().step;
  stopped.dispose();
  t.true(stoppedAt < 40, `stopped at step ${stoppedAt}`);
  t.log(`interrupted at step ${stoppedAt} of 40`);

  const { stdout } = await promisify(execFile)(process.execPath, args);
  t.regex(stdout, /generator: continuing the run kept in .*generator-run from its last checkpoint/);
  t.regex(stdout, /generator: UNet1d \(CPU recipe\), 40 steps .* 6 segments sampled/);
  const finished = Generator.load(path.join(runDir, 'last.safetensors'));
  t.is(finished.config().step, 40);
  finished.dispose();
  fs.rmSync(out, { recursive: true, force: true });
});
