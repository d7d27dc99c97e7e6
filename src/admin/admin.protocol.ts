import type { Socket } from 'node:net';
import { join } from 'node:path';

/**
 * The admin socket's protocol: newline-delimited JSON over a Unix socket in DATA_DIR. The client
 * sends one request line; the holder of the data directory answers with frames and ends the
 * connection. `hello` asks who holds the directory; any other command is a store-using
 * subcommand run with the holder's open stores, its output streamed back as it is written.
 */
export type AdminRequest =
  | { command: 'hello' }
  | {
      command: string;
      /** The subcommand's arguments as typed (parsed by the holder with the same options). */
      args: string[];
      /** Everything the client read from its stdin, when the command reads it (--password-stdin). */
      stdin: string | null;
      /** The client's working directory: relative file names are the caller's, not the server's. */
      cwd: string;
      /** Whether the client's stderr is a terminal (progress bars redraw in place). */
      tty: boolean;
    };

/** Who holds a data directory. */
export interface Holder {
  pid: number;
  /** `serve`, or the subcommand that holds it for the moment (`token create`, `migrate`, …). */
  role: string;
  version: string;
}

export type AdminFrame = { hello: Holder } | { stdout: string } | { stderr: string } | { exit: number };

/** The socket inside DATA_DIR (mode 0600; it is also the lock: see data-dir-lock.ts). */
export function adminSocketPathFor(dataDir: string): string {
  return join(dataDir, 'admin.sock');
}

export function writeFrame(socket: Socket, frame: AdminFrame | AdminRequest): void {
  if (!socket.destroyed) socket.write(`${JSON.stringify(frame)}\n`);
}

/** Calls `onLine` for each complete line that arrives on the socket. */
export function onLines(socket: Socket, onLine: (line: string) => void): void {
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line) onLine(line);
    }
  });
}
