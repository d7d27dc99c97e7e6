import { chmodSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { adminSocketPathFor, type Holder } from './admin.protocol.ts';
import { askHolder } from './admin.client.ts';

/**
 * One owner per data directory. The lock is the admin socket itself: a Unix socket bound at
 * `DATA_DIR/admin.sock`. bind() is atomic and fails with EADDRINUSE while the file exists; a
 * live owner accepts connections, while the file a killed owner left behind refuses them
 * (ECONNREFUSED), so a stale lock is told from a held one by trying to connect, never by age or a
 * pid that may have been reused. The kernel closes the socket when its process dies, kill -9
 * included, so nothing stays held.
 *
 * Removing a stale socket file and binding anew is two steps: two processes that both found it
 * stale could each remove the other's fresh socket. On Linux a second socket in the abstract
 * namespace (no file; freed by the kernel when its process dies), named after the directory's
 * device and inode, is bound first and held for the whole life of the lock: only its holder may
 * remove a stale `admin.sock`. (Abstract names are per network namespace: two containers sharing
 * one volume still see each other's live `admin.sock`, and only a simultaneous take-over of a stale
 * one is unguarded there, as it is on systems without abstract sockets.)
 */
export interface DataDirLock {
  readonly socketPath: string;
  /** The listening admin socket; admin.server.ts answers its connections. */
  readonly server: Server;
  /** Closes both sockets (Node removes the socket file as it closes it). Runs once. */
  release(): Promise<void>;
}

export type LockAttempt = { acquired: true; lock: DataDirLock } | { acquired: false; socketPath: string; holder: Holder | null };

/** Unix socket addresses hold at most 107 bytes of path (sun_path is 108 with the NUL). */
const maxSocketPathBytes = 107;

/** Takes the data directory's lock, or says who holds it. Creates DATA_DIR, nothing inside it but the socket. */
export async function lockDataDir(dataDir: string): Promise<LockAttempt> {
  const socketPath = adminSocketPathFor(dataDir);
  if (Buffer.byteLength(socketPath) > maxSocketPathBytes) {
    throw new Error(`DATA_DIR ${dataDir} is too long a path for its admin socket (${Buffer.byteLength(socketPath)} bytes with /admin.sock; Unix sockets allow ${maxSocketPathBytes}): use a shorter --data-dir or a symlink to it`);
  }
  mkdirSync(dataDir, { recursive: true });
  let guard: Server | null = null;
  if (process.platform === 'linux') {
    const dir = statSync(dataDir);
    guard = await listenOrNull(`\0zquant-data-dir:${dir.dev}:${dir.ino}`);
    if (!guard) return { acquired: false, socketPath, holder: await holderOf(socketPath) };
    guard.on('connection', (s) => s.destroy());
  }
  try {
    for (let attempt = 0; attempt < 20; attempt++) {
      const server = await listenOrNull(socketPath);
      if (server) {
        chmodSync(socketPath, 0o600);
        return { acquired: true, lock: makeLock(socketPath, server, guard) };
      }
      const state = await probe(socketPath);
      if (state === 'live') {
        await closeServer(guard);
        return { acquired: false, socketPath, holder: await holderOf(socketPath) };
      }
      // Left by a process that died: nobody answers it and nobody ever will.
      if (state === 'dead') unlinkQuietly(socketPath);
    }
    throw new Error(`cannot bind ${socketPath}: it keeps reappearing; is another zquant starting on this DATA_DIR?`);
  } catch (err) {
    await closeServer(guard);
    throw err;
  }
}

function makeLock(socketPath: string, server: Server, guard: Server | null): DataDirLock {
  // Connections are half-open (see listenOrNull), so close() would wait for callers that left: drop them.
  const connections = new Set<Socket>();
  server.on('connection', (socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  let released: Promise<void> | null = null;
  return {
    socketPath,
    server,
    release() {
      released ??= (async () => {
        // The socket file goes before the guard: a successor that gets the guard finds no file, or a stale one.
        const closed = closeServer(server);
        for (const socket of connections) socket.destroy();
        await closed;
        await closeServer(guard);
      })();
      return released;
    },
  };
}

/** Who holds it; the holder may be between its two binds, so asked again for up to `withinMs`. */
async function holderOf(socketPath: string, withinMs = 2000): Promise<Holder | null> {
  const until = Date.now() + withinMs;
  for (;;) {
    const left = until - Date.now();
    if (left <= 0) return null;
    const holder = await askHolder(socketPath, left).catch(() => null);
    if (holder) return holder;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function listenOrNull(path: string): Promise<Server | null> {
  return new Promise((resolve, reject) => {
    // Half-open: a caller that stops sending (Ctrl-C) still reads what its command says last.
    const server = createServer({ allowHalfOpen: true });
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve(null);
      else reject(new Error(`cannot bind the data directory's lock socket ${JSON.stringify(path)}: ${err.message}; DATA_DIR must be on a local file system that allows Unix sockets`));
    });
    // The socket file is created 0600 (bind happens inside listen(), synchronously, so the umask
    // covers exactly it): a chmod after binding would leave a moment in which anyone could connect.
    const umask = process.umask(0o177);
    try {
      server.listen(path, () => resolve(server));
    } finally {
      process.umask(umask);
    }
  });
}

/** live: something accepts connections there; dead: a socket file nobody listens on; gone: no file. */
function probe(path: string): Promise<'live' | 'dead' | 'gone'> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve('live');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ENOENT' ? 'gone' : err.code === 'ECONNREFUSED' ? 'dead' : 'live'));
  });
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function closeServer(server: Server | null): Promise<void> {
  if (!server || !server.listening) return Promise.resolve();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The one line a second `zquant serve` stops with. */
export function heldMessage(dataDir: string, attempt: Extract<LockAttempt, { acquired: false }>): string {
  const h = attempt.holder;
  if (!h) return `DATA_DIR ${dataDir} is locked by a process that does not answer on ${attempt.socketPath}; try again in a moment`;
  if (h.role === 'serve') return `DATA_DIR ${dataDir} is in use by another zquant serve (pid ${h.pid}); stop it first (kill ${h.pid}) or give this one another --data-dir`;
  return `DATA_DIR ${dataDir} is in use by \`zquant ${h.role}\` (pid ${h.pid}); start the server when it has finished`;
}
