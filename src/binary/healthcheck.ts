import type { Config } from '../config.ts';

/**
 * `zquant healthcheck`: GETs /healthz of the server configured by the same environment (HOST,
 * PORT) and answers 0 when it says 200. The container's HEALTHCHECK runs it, because the image
 * holds nothing but the executable (no curl, no node).
 */
export async function healthcheck(config: Config, url: string | undefined, timeoutMs = 4000): Promise<{ ok: boolean; detail: string }> {
  // A server listening on every address is reached through loopback.
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const target = url ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.port}/healthz`;
  try {
    const res = await fetch(target, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return { ok: res.status === 200, detail: `${target} answered ${res.status}` };
  } catch (err) {
    return { ok: false, detail: `${target}: ${(err as Error).message}` };
  }
}
