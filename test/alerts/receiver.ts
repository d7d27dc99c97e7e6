import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a local receiver got. */
export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A local HTTP receiver standing in for a webhook endpoint or a chat bot's API: it records every
 * request and answers from a queue of scripted answers (then the default one).
 */
export async function startReceiver(defaultAnswer: { status: number; body: string } = { status: 200, body: '{}' }) {
  const received: Received[] = [];
  const scripted: Array<{ status: number; body: string }> = [];
  let answerFor: ((r: Received) => { status: number; body: string } | null) | null = null;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      const a = scripted.shift() ?? answerFor?.(r) ?? defaultAnswer;
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    /** The next answers, in order, before the default. */
    script: (...answers: Array<{ status: number; body: string }>) => scripted.push(...answers),
    answerBy: (f: (r: Received) => { status: number; body: string } | null) => (answerFor = f),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Waits until `check` holds, polling (the run machinery works on its own timers). */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
