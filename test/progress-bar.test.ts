import test from 'ava';
import * as path from 'node:path';

type Bar = { update(done: number, total: number, note?: string): void; end(): void };
type Stream = { write(chunk: string): unknown; isTTY?: boolean };
const { progressBar } = require(path.resolve(__dirname, '../../../lib/cli/progress-bar.js')) as {
  progressBar(label: string, stream?: Stream): Bar;
};

function fakeStream(isTTY: boolean): Stream & { text(): string } {
  const chunks: string[] = [];
  return { isTTY, write: (c: string) => { chunks.push(String(c)); return true; }, text: () => chunks.join('') };
}

test('non-TTY: one line per 10 %, in order, with count, elapsed time, ETA and note', (t) => {
  const s = fakeStream(false);
  const bar = progressBar('train', s);
  for (let i = 0; i <= 1000; i++) bar.update(i, 1000, `loss ${(1 / (i + 1)).toFixed(3)}`);
  bar.end();
  const lines = s.text().split('\n').filter(Boolean);
  t.is(lines.length, 10, s.text());
  t.deepEqual(lines.map((l) => Number(/(\d+)%/.exec(l)![1])), [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  t.true(lines.every((l) => /^train \[[#.]{30}\] /.test(l) && /elapsed \d/.test(l) && !l.includes('\r')));
  t.true(lines[9]!.startsWith(`train [${'#'.repeat(30)}] 100% `));
  t.regex(lines[0]!, /100\/1000 .*eta \d+s loss 0\.010$/);
  t.regex(lines[9]!, /1000\/1000 elapsed \S+ loss 0\.001$/);
  t.false(lines[9]!.includes('eta'), 'no ETA once done');
});

test('non-TTY: end() prints the last state when it fell between steps; nothing without updates', (t) => {
  const s = fakeStream(false);
  const bar = progressBar('sample', s);
  bar.update(1, 3);
  bar.update(2, 3, 'label 1');
  bar.end();
  bar.end();
  const lines = s.text().split('\n').filter(Boolean);
  t.is(lines.length, 2, s.text());
  t.regex(lines[0]!, /^sample \[#{10}\.{20}\] {2}33% 1\/3 elapsed \S+ eta \S+$/);
  t.regex(lines[1]!, /^sample \[#{20}\.{10}\] {2}66% 2\/3 elapsed \S+ eta \S+ label 1$/);
  const quiet = fakeStream(false);
  progressBar('x', quiet).end();
  t.is(quiet.text(), '');
});

test('TTY: a redrawn bar with percentage and ETA, closed by a newline', (t) => {
  const s = fakeStream(true);
  const bar = progressBar('train', s);
  for (let i = 0; i <= 50; i++) bar.update(i, 50, 'loss 0.5');
  bar.end();
  const out = s.text();
  t.regex(out, /train \[#{30}\] 100% 50\/50 eta \S+ loss 0\.5/);
  t.true(out.endsWith('\n'));
});

test('TTY: a bar left open (a command that failed before end()) does not keep Node alive', (t) => {
  const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
  const lib = path.resolve(__dirname, '../../../lib/cli/progress-bar.js');
  const code = `const { progressBar } = require(${JSON.stringify(lib)});
    const bar = progressBar('train', { isTTY: true, write: () => true });
    bar.update(1, 10); bar.update(2, 10);`;
  const started = Date.now();
  execFileSync(process.execPath, ['-e', code], { timeout: 20000 });
  t.true(Date.now() - started < 20000);
});
