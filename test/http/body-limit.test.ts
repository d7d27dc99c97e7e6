/**
 * Body limits (issue 17): a 300 MB anonymous form post to /login used to be parsed (for the CSRF
 * check) before it was refused, and the process kept 1.5 GB. Here 50 MB bodies, with a length and
 * chunked, go to a real server process, which answers 413 naming the limit and barely grows.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testServerUrl, type TestDatabase } from '../helpers/pg.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';

const serverUrl = await testServerUrl();
const size = 50 * 2 ** 20;

/** Resident memory of a process, from /proc (Linux), in bytes. */
function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

/** A body of `bytes` sent in 1 MB chunks without a Content-Length (chunked transfer encoding). */
function chunked(bytes: number, fill: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(2 ** 20).fill(fill);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      controller.enqueue(chunk);
      sent += chunk.length;
    },
  });
}

describe.skipIf(!serverUrl)('request body limits on a real server process', () => {
  let db: TestDatabase;
  let server: ServerProcess;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'zq-body-'));
    server = await startServerProcess(['--data-dir', dir], { DATABASE_URL: db.url!, ZQUANT_ADMIN_PASSWORD: 'correct horse battery' });
  }, 150_000);
  afterAll(async () => {
    await server?.stop('SIGTERM');
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers 50 MB anonymous posts to /login and /api/v1/backtests with 413, and the RSS grows by less than 50 MB', async () => {
    // Warm up the routes (first requests load code) before measuring.
    for (let i = 0; i < 3; i++) {
      await (await fetch(`${server.url}/login`)).text();
      await (await fetch(`${server.url}/api/v1/backtests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).text();
    }
    const before = rssOf(server.child.pid!);
    const form = Buffer.alloc(size, 'a');
    form.write('_csrf=x&username=admin&password=');
    const posts: Array<[string, RequestInit]> = [
      ['/login', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form }],
      ['/login', { headers: { 'content-type': 'multipart/form-data; boundary=x', cookie: 'zq_csrf=abc' }, body: chunked(size, 97), duplex: 'half' } as RequestInit],
      ['/api/v1/backtests', { headers: { 'content-type': 'application/json' }, body: Buffer.alloc(size, 0x20) }],
      ['/api/v1/backtests', { headers: { 'content-type': 'application/json' }, body: chunked(size, 0x20), duplex: 'half' } as RequestInit],
    ];
    for (const [path, init] of posts) {
      const res = await fetch(`${server.url}${path}`, { method: 'POST', ...init });
      const text = await res.text();
      expect(res.status, `${path}: ${text.slice(0, 200)}`).toBe(413);
      expect(text).toContain('1024 KB');
      if (path.startsWith('/api/')) expect(JSON.parse(text).error.code).toBe('payload_too_large');
      else expect(res.headers.get('content-type')).toContain('text/html');
    }
    const grownMb = (rssOf(server.child.pid!) - before) / 2 ** 20;
    console.log(`body limits: 4 posts of 50 MB answered 413; server RSS grew ${grownMb.toFixed(1)} MB`);
    expect(grownMb).toBeLessThan(50);
  });

  it('still takes a body within the limit', async () => {
    const res = await fetch(`${server.url}/api/v1/backtests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(500_000) }) });
    // Anonymous: refused for who it is, not for its size.
    expect(res.status).toBe(401);
  });
});
