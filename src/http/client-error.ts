import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logger.ts';
import { securityHeaderValues } from './security-headers.ts';

/** What Node's HTTP server hands a 'clientError' listener: the parser's error and the bytes it choked on. */
type ParserError = Error & { code?: string; rawPacket?: Buffer };

/**
 * Answers requests that Node's HTTP parser refuses before the app sees them, in the API's error
 * shape and with a log line, instead of Node's bare `400 Bad Request` with no body.
 *
 * The common one: raw non-ASCII in the URL (`curl 'http://host/api/v1/market/stocks?q=银行'`).
 * llhttp refuses any byte above 0x7e in the request target (HPE_INVALID_URL; measured on Node 24,
 * with and without `insecureHTTPParser`), so the only fix is the client's: percent-encode. This
 * listener changes nothing of what is parsed or accepted; it only words the refusal. Wire it with
 * `server.on('clientError', answerClientError(logger))`.
 */
export function answerClientError(logger: Logger): (err: ParserError, socket: Duplex) => void {
  return (err, socket) => {
    // The client went away, or a response on this keep-alive connection is already under way:
    // another one written now would corrupt it (what Node's own default checks too).
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const requestId = randomUUID();
    const line = requestLine(err.rawPacket);
    const refusal = describe(err, line);
    logger.child({ requestId }).info('request', {
      method: line?.method ?? null,
      target: line?.target.slice(0, 300) ?? null,
      status: refusal.status,
      refusedBy: 'http parser',
      parserError: err.code ?? err.message,
    });
    const body = Buffer.from(JSON.stringify({ error: { code: refusal.code, message: refusal.message, request_id: requestId } }));
    const head = [
      `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}`,
      'Content-Type: application/json; charset=UTF-8',
      `Content-Length: ${body.length}`,
      `X-Request-Id: ${requestId}`,
      ...Object.entries(securityHeaderValues).map(([k, v]) => `${k}: ${v}`),
      'Connection: close',
    ];
    // The parser is done with this connection: answer, then close once the answer is flushed.
    socket.end(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), body]), () => socket.destroy());
  };
}

interface Refusal {
  status: 400 | 408 | 413 | 431;
  code: string;
  message: string;
}

function describe(err: ParserError, line: { method: string; target: string; raw: Buffer } | null): Refusal {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'headers_too_large', message: 'the request headers are too large; send fewer or shorter headers (cookies included)' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, code: 'payload_too_large', message: 'the chunk extensions of the request body are too large; send the body without them' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'request_timeout', message: 'the request did not arrive in time; send it again' };
  }
  if (line && line.raw.some((b) => b > 0x7e)) {
    const [path, query = ''] = line.target.split('?', 2);
    const params = query.split('&').filter((p) => /[^\x00-\x7e]/.test(p));
    const curl = params.length
      ? `; curl does it with -G and --data-urlencode: curl -G ${params.map((p) => `--data-urlencode '${p.replaceAll("'", "'\\''")}'`).join(' ')} 'http://HOST${path}'`
      : '';
    return {
      status: 400,
      code: 'invalid_url',
      message: `the URL holds raw non-ASCII text, which HTTP does not allow; percent-encode it: ${percentEncoded(line.raw)}${curl}`.slice(0, 600),
    };
  }
  if (err.code === 'HPE_INVALID_URL') {
    return { status: 400, code: 'invalid_url', message: 'the URL holds a character HTTP does not allow (a space, a quote, a control character); percent-encode it' };
  }
  return { status: 400, code: 'bad_request', message: `the request is not valid HTTP/1.1 (${err.code ?? 'parse error'}); check the request line and the headers` };
}

/** The target with every byte HTTP does not allow raw written as %XX (what a client should have sent). */
function percentEncoded(raw: Buffer): string {
  let out = '';
  for (const b of raw.subarray(0, 300)) out += b > 0x20 && b < 0x7f ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/** The request line of the refused bytes: method, target (read as UTF-8) and the target's raw bytes. */
function requestLine(raw: Buffer | undefined): { method: string; target: string; raw: Buffer } | null {
  if (!raw) return null;
  const end = raw.indexOf('\r\n');
  const first = end < 0 ? raw : raw.subarray(0, end);
  const sp1 = first.indexOf(0x20);
  if (sp1 < 0) return null;
  const sp2 = first.indexOf(0x20, sp1 + 1);
  const target = first.subarray(sp1 + 1, sp2 < 0 ? first.length : sp2);
  return { method: first.subarray(0, sp1).toString('latin1').slice(0, 20), target: target.toString('utf8'), raw: target };
}
