import type { Socket } from 'node:net';
import { onLines, writeFrame, type AdminRequest, type Holder } from './admin.protocol.ts';
import type { CommandIo } from './command-io.ts';
import type { DataDirLock } from './data-dir-lock.ts';

/** Runs one forwarded command (the server's: runStoreCommand with its open stores). */
export type AdminExecutor = (request: Exclude<AdminRequest, { command: 'hello' }>, io: CommandIo) => Promise<number>;

export interface AdminServer {
  /** From now on commands run; those that arrived earlier (while the server was starting) run now. */
  ready(executor: AdminExecutor): void;
  /** Refuses new commands, interrupts running ones and waits for them (at most `graceMs`), then drops every connection. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Answers the admin socket of a data directory's holder. `hello` says who holds it at any time.
 * A holder that never calls `ready` (a standalone `zquant token create`, say) answers every
 * command that it is busy; a server calls `ready` once start-up has finished, and commands sent
 * before then wait for it.
 */
export function startAdminServer(lock: DataDirLock, holder: Holder, options: { dataDir: string; onError?: (err: unknown) => void }): AdminServer {
  const sockets = new Set<Socket>();
  const running = new Set<{ done: Promise<void>; interrupt: AbortController }>();
  let executor: AdminExecutor | null = null;
  let wake: () => void = () => {};
  let readyOrStopped = new Promise<void>((resolve) => (wake = resolve));
  let stopping = false;

  const busy = (command: string) =>
    holder.role === 'serve'
      ? `zquant ${command}: the server on DATA_DIR ${options.dataDir} (pid ${holder.pid}) is stopping; run the command again once it has stopped\n`
      : `zquant ${command}: DATA_DIR ${options.dataDir} is in use by \`zquant ${holder.role}\` (pid ${holder.pid}); run this again when it has finished\n`;

  const handle = async (socket: Socket, request: Exclude<AdminRequest, { command: 'hello' }>) => {
    const interrupt = new AbortController();
    // The caller half-closes on Ctrl-C and keeps reading: the command stops and still reports.
    socket.once('end', () => interrupt.abort(new Error('interrupted (SIGINT)')));
    socket.once('close', () => interrupt.abort(new Error('the caller went away')));
    if (holder.role === 'serve' && !executor && !stopping) await readyOrStopped;
    if (!executor || stopping) {
      writeFrame(socket, { stderr: busy(request.command) });
      writeFrame(socket, { exit: 1 });
      socket.end();
      return;
    }
    const io: CommandIo = {
      stdout: (text) => writeFrame(socket, { stdout: text }),
      stderr: (text) => writeFrame(socket, { stderr: text }),
      readStdin: async () => request.stdin ?? '',
      cwd: request.cwd,
      tty: request.tty,
      signal: interrupt.signal,
    };
    const entry = { done: Promise.resolve(), interrupt };
    let finish: () => void = () => {};
    entry.done = new Promise<void>((resolve) => (finish = resolve));
    running.add(entry);
    try {
      const code = await executor(request, io).catch((err: unknown) => {
        io.stderr(`zquant ${request.command}: ${(err as Error).message}\n`);
        return 1;
      });
      writeFrame(socket, { exit: code });
      socket.end();
    } finally {
      running.delete(entry);
      finish();
    }
  };

  lock.server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {}); // a caller that vanished is not the server's problem
    let seen = false;
    onLines(socket, (line) => {
      if (seen) return;
      seen = true;
      let request: AdminRequest;
      try {
        request = JSON.parse(line) as AdminRequest;
      } catch {
        writeFrame(socket, { stderr: 'zquant: the admin socket expects one JSON request per line\n' });
        writeFrame(socket, { exit: 2 });
        socket.end();
        return;
      }
      if (request.command === 'hello') {
        writeFrame(socket, { hello: holder });
        socket.end();
        return;
      }
      handle(socket, request as Exclude<AdminRequest, { command: 'hello' }>).catch((err) => {
        options.onError?.(err);
        socket.destroy();
      });
    });
  });

  let stopped: Promise<void> | null = null;
  return {
    ready(run) {
      executor = run;
      wake();
    },
    stop(graceMs = 5000) {
      stopped ??= (async () => {
        stopping = true;
        wake();
        readyOrStopped = Promise.resolve();
        for (const r of running) r.interrupt.abort(new Error('the server is stopping'));
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([Promise.all([...running].map((r) => r.done)), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
        clearTimeout(timer);
        for (const s of sockets) s.destroy();
      })();
      return stopped;
    },
  };
}
