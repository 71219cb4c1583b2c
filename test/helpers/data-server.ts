/** A tiny static HTTP server on 127.0.0.1 with Range support and fault injection. */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  url: string;
  /** Requests seen: "GET path [range]". */
  log: string[];
  close(): Promise<void>;
}

/**
 * Serves `root`. `cutOnce` lists paths whose first full (non-Range) response is cut
 * after half the bytes, to exercise resume.
 */
export async function serveFolder(root: string, cutOnce: string[] = []): Promise<TestServer> {
  const log: string[] = [];
  const cut = new Set(cutOnce);
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url!, 'http://x').pathname).replace(/^\/+/, '');
    const file = path.join(root, rel);
    const range = req.headers.range;
    log.push(`GET ${rel}${range ? ` ${range}` : ''}`);
    if (!file.startsWith(root) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    const body = fs.readFileSync(file);
    const m = range ? /^bytes=(\d+)-$/.exec(range) : null;
    if (m) {
      const start = Number(m[1]);
      if (start >= body.length) { res.writeHead(416).end(); return; }
      res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
      res.end(body.subarray(start));
      return;
    }
    res.writeHead(200, { 'content-length': body.length });
    if (cut.has(rel)) {
      cut.delete(rel);
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
      return;
    }
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    log,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
