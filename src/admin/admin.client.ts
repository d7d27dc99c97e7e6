import { connect } from 'node:net';
import { onLines, writeFrame, type AdminFrame, type AdminRequest, type Holder } from './admin.protocol.ts';

/** Asks the holder of a data directory who it is; rejects when nothing answers. */
export function askHolder(socketPath: string, timeoutMs = 2000): Promise<Holder> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const timer = setTimeout(() => socket.destroy(new Error(`no answer on ${socketPath} in ${timeoutMs} ms`)), timeoutMs);
    socket.once('connect', () => writeFrame(socket, { command: 'hello' }));
    onLines(socket, (line) => {
      const frame = JSON.parse(line) as AdminFrame;
      if ('hello' in frame) {
        clearTimeout(timer);
        socket.end();
        resolve(frame.hello);
      }
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      reject(new Error(`${socketPath} closed without saying who holds it`));
    });
  });
}

export interface RemoteOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

/**
 * Runs a subcommand in the process that holds the data directory and resolves with its exit
 * code, its output written to `out` as it arrives. Aborting `signal` (Ctrl-C) half-closes the
 * connection: the command there is interrupted and its last words still arrive.
 */
export function runRemote(socketPath: string, request: Exclude<AdminRequest, { command: 'hello' }>, out: RemoteOutput, signal?: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let exit: number | null = null;
    const onAbort = () => socket.end();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => writeFrame(socket, request));
    onLines(socket, (line) => {
      const frame = JSON.parse(line) as AdminFrame;
      if ('stdout' in frame) out.stdout(frame.stdout);
      else if ('stderr' in frame) out.stderr(frame.stderr);
      else if ('exit' in frame) exit = frame.exit;
    });
    socket.once('error', (err) => {
      if (exit === null && !signal?.aborted) reject(err);
    });
    socket.once('close', () => {
      signal?.removeEventListener('abort', onAbort);
      if (exit !== null) resolve(exit);
      else if (signal?.aborted) resolve(130);
      else reject(new Error(`the zquant process holding ${socketPath} closed the connection before the command finished; see its log`));
    });
  });
}
