// A connection without a socket: two Duplex ends joined in memory, for testing what runs over any byte stream.
// What one end writes the other reads, with backpressure (a write waits until the reader takes the bytes),
// half-close (end() on one side is 'end' on the other) and destroy seen by both sides.
import { Duplex } from 'node:stream';

export class MemoryEnd extends Duplex {
  peer: MemoryEnd | null = null;
  /** The write callback held until the peer's reader asks for more. */
  private resumeWriter: (() => void) | null = null;

  constructor(highWaterMark?: number) {
    super({ allowHalfOpen: true, highWaterMark });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (e?: Error | null) => void): void {
    const peer = this.peer!;
    if (peer.destroyed) return done();
    if (peer.push(chunk)) done();
    else peer.resumeWriter = () => done();
  }

  override _final(done: (e?: Error | null) => void): void {
    if (!this.peer!.destroyed) this.peer!.push(null);
    done();
  }

  override _read(): void {
    const resume = this.resumeWriter;
    this.resumeWriter = null;
    resume?.();
  }

  override _destroy(e: Error | null, done: (e?: Error | null) => void): void {
    if (!this.peer!.destroyed) this.peer!.destroy();
    done(e);
  }
}

/** Two joined ends: give `server` to the code under test and drive it from `client`. */
export function memoryStreamPair(highWaterMark?: number): { server: MemoryEnd; client: MemoryEnd } {
  const server = new MemoryEnd(highWaterMark);
  const client = new MemoryEnd(highWaterMark);
  server.peer = client;
  client.peer = server;
  return { server, client };
}
