// The control socket: a Unix socket (mode 0600) that takes one JSON request line per connection and answers
// one JSON line. A stale socket file left by a crash is replaced; a live one means another server owns it.
import { chmod, lstat, unlink } from 'node:fs/promises';
import * as net from 'node:net';
import { ErrorCode, RootlineError } from '../errors.js';
import type { Logger } from '../log.js';
import { parseRequest, type ControlReply, type ControlRequest } from './protocol.js';

/** A request line longer than this is not one of ours. */
const MAX_REQUEST_BYTES = 64 * 1024;

export interface ControlSocket {
  path: string;
  close(): Promise<void>;
}

function isListening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

async function clearStale(path: string): Promise<void> {
  const st = await lstat(path).catch(() => null);
  if (!st) return;
  if (!st.isSocket()) throw new RootlineError(ErrorCode.CONTROL_SOCKET, `control socket ${path} exists and is not a socket; remove it or set control-socket to another path`);
  if (await isListening(path)) throw new RootlineError(ErrorCode.CONTROL_SOCKET, `another rootline answers on control socket ${path}; stop it or set control-socket to another path`);
  await unlink(path);
}

export async function startControlSocket(path: string, answer: (req: ControlRequest) => Promise<ControlReply>, logger: Logger): Promise<ControlSocket> {
  await clearStale(path);
  const server = net.createServer((conn) => {
    let buffered = '';
    conn.setEncoding('utf8');
    conn.on('error', () => conn.destroy());
    conn.on('data', (chunk: string) => {
      buffered += chunk;
      const end = buffered.indexOf('\n');
      if (end < 0) {
        if (buffered.length > MAX_REQUEST_BYTES) conn.destroy();
        return;
      }
      conn.removeAllListeners('data');
      const parsed = parseRequest(buffered.slice(0, end));
      const reply: Promise<ControlReply> = typeof parsed === 'string' ? Promise.resolve({ ok: false, error: parsed }) : answer(parsed);
      void reply.then((r) => {
        if (typeof parsed !== 'string') logger.info({ event: 'control', cmd: parsed.cmd, ok: r.ok }, 'control');
        conn.end(JSON.stringify(r) + '\n');
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new RootlineError(ErrorCode.CONTROL_SOCKET, `cannot create control socket ${path}: ${e.code ?? e.message} (create its folder, or set control-socket to a path you may write)`)),
    );
    // Owner only from the start: the umask keeps the socket from ever being reachable by others.
    const umask = process.umask(0o177);
    server.listen(path, () => {
      process.umask(umask);
      resolve();
    });
  });
  await chmod(path, 0o600);
  server.unref();
  logger.info({ event: 'control_listening', path }, 'control_listening');
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        void unlink(path).catch(() => {});
      }),
  };
}
