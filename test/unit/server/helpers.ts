// Small clients and handlers for the listener tests: DNS-shaped messages, TCP framing, a deferred.
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import type { QueryHandler } from '../../../src/server/types.js';

/** A 12+ byte message that starts like a DNS query with this ID. */
export function msg(id: number, len = 20): Buffer {
  const b = Buffer.alloc(len, 7);
  b.writeUInt16BE(id, 0);
  b[2] = 0x01; // RD, QR clear
  return b;
}

/** The answer an echo handler gives: the query with QR set. */
export function answerTo(q: Buffer): Buffer {
  const out = Buffer.from(q);
  out[2] = out[2]! | 0x80;
  return out;
}

export const echo: QueryHandler = (q) => answerTo(q);

export const frame = (b: Buffer): Buffer => Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
}
export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A TCP client that splits what it receives into frames and notes when the server closes. */
export class TcpClient {
  readonly frames: Buffer[] = [];
  closed = false;
  readonly closedAt: Promise<number>;
  private buf = Buffer.alloc(0);
  private waiters: { count: number; resolve: () => void }[] = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('error', () => undefined);
    socket.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      while (this.buf.length >= 2 && this.buf.length >= 2 + this.buf.readUInt16BE(0)) {
        const n = this.buf.readUInt16BE(0);
        this.frames.push(this.buf.subarray(2, 2 + n));
        this.buf = this.buf.subarray(2 + n);
      }
      this.wake();
    });
    this.closedAt = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        this.wake();
        resolve(Date.now());
      }),
    );
  }

  static connect(port: number, host = '127.0.0.1'): Promise<TcpClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host);
      s.once('error', reject);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new TcpClient(s));
      });
    });
  }

  /** Resolves once `count` frames have arrived in all; rejects if the connection closes first or after `ms`. */
  waitFrames(count: number, ms = 3000): Promise<Buffer[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.frames.length} of ${count} frames after ${ms} ms`)), ms);
      const check = (): void => {
        if (this.frames.length >= count) {
          clearTimeout(timer);
          resolve(this.frames.slice(0, count));
        } else if (this.closed) {
          clearTimeout(timer);
          reject(new Error(`closed after ${this.frames.length} of ${count} frames`));
        } else {
          this.waiters.push({ count, resolve: check });
        }
      };
      check();
    });
  }

  write(b: Buffer): void {
    this.socket.write(b);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w.resolve();
  }
}

export const ids = (frames: Buffer[]): number[] => frames.map((f) => f.readUInt16BE(0));

/** Sends one datagram from a fresh socket; resolves with the reply, or null after `ms`. */
export function udpAsk(port: number, query: Buffer, ms = 1000, host = '127.0.0.1'): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const s = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    const done = (v: Buffer | null): void => {
      clearTimeout(timer);
      s.close();
      resolve(v);
    };
    const timer = setTimeout(() => done(null), ms);
    s.on('message', (m) => done(m));
    s.send(query, port, host);
  });
}

/** A port that was free for TCP and UDP on this address a moment ago. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (;;) {
    const server = net.createServer();
    const port = await new Promise<number>((resolve) => server.listen(0, host, () => resolve((server.address() as net.AddressInfo).port)));
    await new Promise((r) => server.close(r));
    const udp = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    const ok = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, host, () => resolve(true));
    });
    if (ok) {
      await new Promise<void>((r) => udp.close(() => r()));
      return port;
    }
    try {
      udp.close();
    } catch {
      // never bound
    }
  }
}
