// DNS over a byte stream (TCP, later TLS and the control channel): every message carries a two-byte length
// prefix (RFC 1035 §4.2.2, RFC 7766 §8), and one read may hold part of a message or several.

/** The length prefix is 16 bits, so no framed message is longer than this. */
export const MAX_FRAMED_MESSAGE = 0xffff;

/** A buffer this big or smaller is kept for reuse once everything in it is framed; a bigger one is let go. */
const RETAINED_CAPACITY = 4096;

/**
 * Cuts a byte stream into messages. `push` what arrives, then call `next` until it returns null. A zero-length
 * frame comes out as an empty Buffer: framing-wise it is complete, whether it is acceptable is the caller's call.
 */
export class StreamFramer {
  private buf = Buffer.alloc(0);
  /** The first byte not yet handed out as part of a message. */
  private start = 0;
  /** One past the last byte received. */
  private end = 0;

  /** Appends received bytes (copied: the caller may reuse `chunk`). */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.end + chunk.length > this.buf.length) this.makeRoom(chunk.length);
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
  }

  /** The next complete message without its length prefix (a copy of its own), or null until more bytes arrive. */
  next(): Buffer | null {
    const available = this.end - this.start;
    if (available < 2) return null;
    const length = this.buf.readUInt16BE(this.start);
    if (available < 2 + length) return null;
    const message = Buffer.from(this.buf.subarray(this.start + 2, this.start + 2 + length));
    this.start += 2 + length;
    if (this.start === this.end) this.reset();
    return message;
  }

  /** Bytes received and not yet handed out: a partial message, or messages nobody asked for yet. */
  get buffered(): number {
    return this.end - this.start;
  }

  private reset(): void {
    this.start = 0;
    this.end = 0;
    if (this.buf.length > RETAINED_CAPACITY) this.buf = Buffer.alloc(0);
  }

  /**
   * Makes room for `extra` more bytes. Moving the unread bytes to the front only when at least as many bytes
   * were already handed out, and otherwise doubling, keeps the copying linear in the bytes received (a message
   * that arrives byte by byte is not copied once per byte).
   */
  private makeRoom(extra: number): void {
    const unread = this.end - this.start;
    if (unread + extra <= this.buf.length && this.start >= unread) {
      this.buf.copyWithin(0, this.start, this.end);
    } else {
      const bigger = Buffer.allocUnsafe(Math.max(unread + extra, 2 * this.buf.length, 512));
      this.buf.copy(bigger, 0, this.start, this.end);
      this.buf = bigger;
    }
    this.start = 0;
    this.end = unread;
  }
}

/** The message with its two-byte length prefix. Throws a RangeError past 65535 bytes, which no frame can carry. */
export function frameMessage(message: Buffer): Buffer {
  if (message.length > MAX_FRAMED_MESSAGE) throw new RangeError(`a ${message.length}-byte message does not fit a 16-bit length prefix`);
  const framed = Buffer.allocUnsafe(2 + message.length);
  framed.writeUInt16BE(message.length, 0);
  message.copy(framed, 2);
  return framed;
}
