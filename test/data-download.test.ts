import test from 'ava';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChecksumError, downloadDataset, parseSha256Sums, readWfdbRecordSync, type DownloadProgress } from 'ecg-ldm';
import { LUDB, tempDir } from './helpers/data-paths';
import { serveFolder } from './helpers/data-server';

const sha = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** A mini PhysioNet project: two LUDB records with RECORDS and SHA256SUMS.txt. */
function miniProject(withSums: boolean, corrupt = false): string {
  const root = tempDir('ecg-ldm-srv-');
  fs.mkdirSync(path.join(root, 'data'));
  for (const id of ['1', '2']) for (const ext of ['hea', 'dat', 'ii']) fs.copyFileSync(path.join(LUDB, 'data', `${id}.${ext}`), path.join(root, 'data', `${id}.${ext}`));
  fs.writeFileSync(path.join(root, 'RECORDS'), 'data/1\ndata/2\n');
  if (withSums) {
    const files = ['RECORDS', 'data/1.hea', 'data/1.dat', 'data/1.ii', 'data/2.hea', 'data/2.dat', 'data/2.ii'];
    const lines = files.map((f) => `${corrupt && f === 'data/2.dat' ? '0'.repeat(64) : sha(path.join(root, f))} ${f}`);
    fs.writeFileSync(path.join(root, 'SHA256SUMS.txt'), lines.join('\n') + '\n');
  }
  return root;
}

test('parseSha256Sums', (t) => {
  const m = parseSha256Sums(`${'a'.repeat(64)}  RECORDS\n${'B'.repeat(64)} *data/1.dat\nnoise\n`);
  t.is(m.get('RECORDS'), 'a'.repeat(64));
  t.is(m.get('data/1.dat'), 'b'.repeat(64));
  t.is(m.size, 2);
});

test('download with checksums, an interrupted transfer resumed by Range, then a no-op rerun', async (t) => {
  const root = miniProject(true);
  const server = await serveFolder(root, ['data/1.dat']);
  try {
    const to = tempDir();
    const progress: DownloadProgress[] = [];
    const summary = await downloadDataset('ludb', { to, baseUrl: server.url, backoffMs: 1, onProgress: (p) => progress.push(p) });
    t.like(summary, { files: 7, downloaded: 7, resumed: 1, verified: true });
    t.true(server.log.some((l) => /^GET data\/1\.dat bytes=\d+-$/.test(l)), server.log.join('\n'));
    t.is(sha(path.join(to, 'data/1.dat')), sha(path.join(root, 'data/1.dat')));
    t.is(readWfdbRecordSync(path.join(to, 'data/1')).sampleCount, 5000);
    t.is(progress.at(-1)!.filesDone, 7);
    const again = await downloadDataset('ludb', { to, baseUrl: server.url, backoffMs: 1 });
    t.like(again, { downloaded: 0, skipped: 7 });
  } finally {
    await server.close();
  }
});

test('a corrupted file fails verification and is removed', async (t) => {
  const server = await serveFolder(miniProject(true, true));
  try {
    const to = tempDir();
    const err = await t.throwsAsync(downloadDataset('ludb', { to, baseUrl: server.url, backoffMs: 1 }), { instanceOf: ChecksumError });
    t.regex(err!.message, /2\.dat.*SHA-256 mismatch/);
    t.false(fs.existsSync(path.join(to, 'data/2.dat')));
  } finally {
    await server.close();
  }
});

test('without SHA256SUMS.txt the RECORDS listing and headers drive the download', async (t) => {
  const server = await serveFolder(miniProject(false));
  try {
    const to = tempDir();
    const summary = await downloadDataset('custom', { to, baseUrl: server.url, backoffMs: 1 });
    t.like(summary, { verified: false, files: 5 }); // RECORDS + 2 x (hea, dat)
    t.is(readWfdbRecordSync(path.join(to, 'data/2')).leads.length, 12);
  } finally {
    await server.close();
  }
});

test('without SHA256SUMS.txt a multi-segment record brings its segment headers and signal files', async (t) => {
  const root = tempDir('ecg-ldm-srv-');
  for (const id of ['1', '2']) for (const ext of ['hea', 'dat']) fs.copyFileSync(path.join(LUDB, 'data', `${id}.${ext}`), path.join(root, `${id}.${ext}`));
  // Two LUDB records of 5,000 frames stitched with a null segment between them.
  fs.writeFileSync(path.join(root, 'multi.hea'), 'multi/3 12 500 10100\n1 5000\n~ 100\n2 5000\n');
  fs.writeFileSync(path.join(root, 'RECORDS'), 'multi\n');
  const server = await serveFolder(root);
  try {
    const to = tempDir();
    const summary = await downloadDataset('custom', { to, baseUrl: server.url, backoffMs: 1 });
    t.like(summary, { verified: false, files: 6 }); // RECORDS, multi.hea, 2 x (hea, dat)
    const rec = readWfdbRecordSync(path.join(to, 'multi'));
    t.is(rec.signals[0]!.length, 10100);
    t.true(Number.isNaN(rec.signals[0]![5050]!));
  } finally {
    await server.close();
  }
});

test('unreachable server: IoError after the retries; unknown dataset: ConfigError', async (t) => {
  await t.throwsAsync(downloadDataset('ludb', { to: tempDir(), baseUrl: 'http://127.0.0.1:9/', retries: 2, backoffMs: 1 }), { code: 'E_IO' } as never);
  await t.throwsAsync(downloadDataset('nope', { to: tempDir() }), { code: 'E_CONFIG' } as never);
});
