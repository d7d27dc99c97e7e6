import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase } from '../helpers/pg.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';

/**
 * Requests Node's HTTP parser refuses before the app sees them, sent as raw bytes (fetch and curl
 * would percent-encode the URL themselves) to a real `zquant serve`.
 */
let server: ServerProcess;
let dropDb: () => Promise<void>;
const dir = mkdtempSync(join(tmpdir(), 'zq-client-error-'));

beforeAll(async () => {
  const db = await createEmptyDatabase();
  dropDb = db.drop;
  server = await startServerProcess(['--data-dir', dir], { DATABASE_URL: db.url ?? '' });
}, 180_000);
afterAll(async () => {
  if (server) expect(await server.stop('SIGTERM')).toBe(0);
  await dropDb?.();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes `bytes` on a fresh connection and answers everything the server sends until it closes. */
function exchange(bytes: Buffer): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
  });
}

const request = (target: Buffer, extraHeaders = '') =>
  Buffer.concat([Buffer.from('GET '), target, Buffer.from(` HTTP/1.1\r\nHost: example\r\n${extraHeaders}Connection: close\r\n\r\n`)]);

describe('requests the HTTP parser refuses', () => {
  it('answers raw UTF-8 in the URL with a JSON 400 that says to percent-encode, and logs it', async () => {
    const res = await exchange(request(Buffer.from('/api/v1/market/stocks?q=银行&limit=5', 'utf8')));
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body));
    const body = JSON.parse(res.body) as { error: { code: string; message: string; request_id: string } };
    expect(body.error.code).toBe('invalid_url');
    expect(body.error.message).toContain('percent-encode it: /api/v1/market/stocks?q=%E9%93%B6%E8%A1%8C&limit=5');
    expect(body.error.message).toContain("curl -G --data-urlencode 'q=银行' 'http://HOST/api/v1/market/stocks'");
    expect(res.headers['x-request-id']).toBe(body.error.request_id);
    // One log line per refused request, like every other request, bound to the id the answer carries.
    await expect.poll(() => server.lines.find((l) => l.includes(body.error.request_id))).toBeTruthy();
    const log = JSON.parse(server.lines.find((l) => l.includes(body.error.request_id))!);
    expect(log).toMatchObject({ level: 'info', msg: 'request', method: 'GET', status: 400, refusedBy: 'http parser', parserError: 'HPE_INVALID_URL' });
    expect(log.target).toBe('/api/v1/market/stocks?q=银行&limit=5');
  });

  it('accepts the same query percent-encoded (the app answers: 401 without a token)', async () => {
    const res = await exchange(request(Buffer.from('/api/v1/market/stocks?q=%E9%93%B6%E8%A1%8C')));
    expect(res.status).toBe(401);
  });

  it('answers other malformed requests in the same JSON shape, and keeps serving', async () => {
    const badHeader = await exchange(request(Buffer.from('/healthz'), 'Bad Header: x\r\n'));
    expect(badHeader.status).toBe(400);
    expect(JSON.parse(badHeader.body).error).toMatchObject({ code: 'bad_request', message: expect.stringContaining('HPE_INVALID_HEADER_TOKEN') });
    const space = await exchange(Buffer.from('GET /a\x01b HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1'));
    expect(space.status).toBe(400);
    expect(JSON.parse(space.body).error.code).toBe('invalid_url');
    const huge = await exchange(request(Buffer.from('/healthz'), `X-Big: ${'a'.repeat(20_000)}\r\n`));
    expect(huge.status).toBe(431);
    expect(JSON.parse(huge.body).error.code).toBe('headers_too_large');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
