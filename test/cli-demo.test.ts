// `ecg-ldm demo`, the README's main job, end to end on the bundled PTB-XL AF set: with the
// shipped generator (small classifier settings), with --train (and its Ctrl-C resume), and
// its refusals (unwritable output folder, a missing or damaged shipped generator).
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { Generator, info, readSegmentNpz } from 'ecg-ldm';
import { ROOT } from './helpers/paths';

const CLI = path.join(ROOT, 'lib', 'cli.js');
const QUICK = ['--repeats', '1', '--epochs', '2', '--patience', '0', '--ratio', '0.1'];

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

test('demo: shipped generator, real vs generated per label, ECGNet real vs real + synthetic, report.html', async (t) => {
  const out = tempDir('ecg-ldm-demo-');
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'demo', '--out', out, ...QUICK], { maxBuffer: 1 << 24 });
  t.log(stdout);
  t.regex(stdout, /dataset ptbxl-af: PTB-XL lead II at 100 Hz/);
  t.regex(stdout, /train 198 segments of 992 samples from 181 patients \(sinus-rhythm 132, atrial-fibrillation 66\)/);
  t.regex(stdout, /generator shipped: .*data\/models\/ptbxl-af\/generator\.safetensors \(CPU recipe, \d+ steps/);
  t.regex(stdout, /generated 20 segments in/);
  t.regex(stdout, /random forest real vs generated .* accuracy [01]\.\d{3} \(95% CI/);
  t.regex(stdout, /real only +0\.\d{3} \[/);
  t.regex(stdout, /real \+ \d+ synthetic +\d\.\d{3} \[.*Δ [+-]\d\.\d{3} \[.*\] +(no significant gain|significant gain|significant loss)/);
  t.regex(stdout, /synthetic only \(TSTR\)/);
  t.notRegex(stdout, /NaN/);
  const report = /report: (.*report\.html)/.exec(stdout)![1]!;
  t.is(report, path.join(out, 'report.html'));
  const html = fs.readFileSync(report, 'utf8');
  t.notRegex(html, /NaN|undefined/);
  t.regex(html, /<svg /);
  t.regex(html, /25 mm\/s, 10 mm\/unit/);
  t.false(/(src|href)="https?:/.test(html), 'the report loads nothing from the network');
  const generated = readSegmentNpz(path.join(out, 'generated.npz'));
  t.deepEqual(generated.shape, [20, 992, 1]);
  t.deepEqual([...generated.labels].filter((l) => l === 1).length, 7);
  t.true(generated.data.every((v) => Number.isFinite(v) && Math.abs(v) <= 1)); // clipX0 1 on range-normalised data
  t.is(new Set(readSegmentNpz(path.join(out, 'data', 'test.npz')).patients).size, 122);
  fs.rmSync(out, { recursive: true, force: true });
});

test('demo --train: trains the CPU recipe from scratch; Ctrl-C keeps the run and the same command continues it', async (t) => {
  const out = tempDir('ecg-ldm-demo-train-');
  const args = [CLI, 'demo', '--train', '--steps', '40', '--out', out, ...QUICK];
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

  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 1 << 24 });
  t.regex(stdout, /generator: continuing the run kept in .*generator-run from its last checkpoint/);
  t.regex(stdout, /generator trained now: CPU recipe, 40 steps/);
  t.regex(stdout, /report: .*report\.html/);
  fs.rmSync(out, { recursive: true, force: true });
});

test('demo: an output folder that cannot be written is refused before any work, naming the path', (t) => {
  const dir = tempDir('ecg-ldm-demo-bad-');
  const file = path.join(dir, 'a-file');
  fs.writeFileSync(file, 'not a folder');
  const out = path.join(file, 'out');
  const r = spawnSync(process.execPath, [CLI, 'demo', '--out', out], { encoding: 'utf8' });
  t.is(r.status, 1);
  t.regex(r.stderr, new RegExp(`E_IO: cannot write the demo's output folder ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(ENOTDIR\\)`));
  t.deepEqual(fs.readdirSync(dir), ['a-file']);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A copy of the installed package (lib, data, package.json) whose shipped generator `damage` changes. */
function packageCopy(damage: (modelFile: string) => void): string {
  const dir = tempDir('ecg-ldm-package-copy-');
  for (const entry of ['lib', 'data', 'package.json']) fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  damage(path.join(dir, 'data', 'models', 'ptbxl-af', 'generator.safetensors'));
  return dir;
}

for (const [what, damage] of [
  ['missing', (file: string) => fs.rmSync(file)],
  ['truncated', (file: string) => fs.truncateSync(file, 1000)],
] as const) {
  test(`demo: a ${what} shipped generator is a clear error saying how to reinstall or train one`, (t) => {
    const dir = packageCopy(damage);
    const out = path.join(dir, 'out');
    const r = spawnSync(process.execPath, [path.join(dir, 'lib', 'cli.js'), 'demo', '--out', out], {
      encoding: 'utf8',
      env: { ...process.env, ECG_LDM_ADDON: info().addon.path },
    });
    t.is(r.status, 1, r.stderr);
    t.regex(r.stderr, /E_IO: the shipped generator .*generator\.safetensors (is missing|cannot be loaded \(E_FORMAT)/);
    t.regex(r.stderr, /reinstall ecg-ldm \(npm install ecg-ldm\)/);
    t.regex(r.stderr, /ecg-ldm demo --train/);
    t.false(fs.existsSync(path.join(out, 'report.html')));
    fs.rmSync(dir, { recursive: true, force: true });
  });
}
