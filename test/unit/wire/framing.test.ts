// The stream framer (RFC 1035 §4.2.2, RFC 7766 §8): messages split over chunks down to single bytes, several in
// one chunk, the zero-length frame, the largest message a 16-bit length allows, and frameMessage.
import { describe, expect, it } from 'vitest';
import { frameMessage, MAX_FRAMED_MESSAGE, StreamFramer } from '../../../src/wire/framing.js';

/** A message of `length` bytes whose content says where it came from. */
const message = (length: number, seed: number): Buffer => Buffer.from(Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff));

const drain = (framer: StreamFramer): Buffer[] => {
  const out: Buffer[] = [];
  for (let m = framer.next(); m !== null; m = framer.next()) out.push(m);
  return out;
};

describe('StreamFramer', () => {
  it('returns nothing until a whole message has arrived, fed one byte at a time', () => {
    const sent = [message(12, 1), message(300, 2), message(1, 3)];
    const stream = Buffer.concat(sent.map(frameMessage));
    const framer = new StreamFramer();
    const got: Buffer[] = [];
    const completedAt: number[] = [];
    for (let i = 0; i < stream.length; i++) {
      framer.push(stream.subarray(i, i + 1));
      const m = framer.next();
      if (m !== null) {
        got.push(m);
        completedAt.push(i + 1);
      }
    }
    expect(got).toEqual(sent);
    // Each message comes out with its last byte, not before: 2 + 12, then 2 + 300 more, then 2 + 1 more.
    expect(completedAt).toEqual([14, 316, 319]);
    expect(framer.buffered).toBe(0);
  });

  it('splits several messages out of one chunk and keeps a partial one for later', () => {
    const sent = [message(20, 4), message(40, 5), message(13, 6)];
    const tail = frameMessage(message(50, 7));
    const framer = new StreamFramer();
    framer.push(Buffer.concat([...sent.map(frameMessage), tail.subarray(0, 10)]));
    expect(drain(framer)).toEqual(sent);
    expect(framer.buffered).toBe(10);
    framer.push(tail.subarray(10));
    expect(drain(framer)).toEqual([message(50, 7)]);
  });

  it('hands out copies: the chunk may be reused and earlier messages survive later pushes', () => {
    const framer = new StreamFramer();
    const chunk = Buffer.concat([frameMessage(message(16, 8)), frameMessage(message(16, 9)).subarray(0, 5)]);
    framer.push(chunk);
    const first = framer.next();
    chunk.fill(0);
    framer.push(frameMessage(message(16, 9)).subarray(5));
    for (let i = 0; i < 50; i++) framer.push(frameMessage(message(100, i)));
    expect(first).toEqual(message(16, 8));
    expect(framer.next()).toEqual(message(16, 9));
    expect(drain(framer)).toHaveLength(50);
  });

  it('keeps a long stream intact while it reuses and grows its buffer, read as the bytes come in', () => {
    const sent = Array.from({ length: 300 }, (_, i) => message((i * 97) % 700, i));
    const stream = Buffer.concat(sent.map(frameMessage));
    const framer = new StreamFramer();
    const got: Buffer[] = [];
    for (let at = 0, step = 1; at < stream.length; at += step, step = (step * 7 + 3) % 1500) {
      framer.push(stream.subarray(at, at + step));
      got.push(...drain(framer));
    }
    expect(got).toEqual(sent);
    expect(framer.buffered).toBe(0);
  });

  it('hands a zero-length frame out as an empty message, and what follows it after', () => {
    const framer = new StreamFramer();
    framer.push(Buffer.from([0, 0]));
    framer.push(frameMessage(message(12, 10)));
    const empty = framer.next();
    expect(empty).not.toBeNull();
    expect(empty!.length).toBe(0);
    expect(framer.next()).toEqual(message(12, 10));
    expect(framer.next()).toBeNull();
  });

  it('frames the largest message a 16-bit length allows, 65535 bytes, in pieces', () => {
    const big = message(MAX_FRAMED_MESSAGE, 11);
    const framed = frameMessage(big);
    expect(framed.readUInt16BE(0)).toBe(0xffff);
    const framer = new StreamFramer();
    for (let at = 0; at < framed.length; at += 1000) {
      expect(framer.next()).toBeNull();
      framer.push(framed.subarray(at, at + 1000));
    }
    expect(framer.next()).toEqual(big);
    expect(framer.next()).toBeNull();
  });
});

describe('frameMessage', () => {
  it('prefixes the length, and the framer gives the message back', () => {
    const m = message(258, 12);
    const framed = frameMessage(m);
    expect(framed.length).toBe(260);
    expect([framed[0], framed[1]]).toEqual([1, 2]);
    const framer = new StreamFramer();
    framer.push(framed);
    expect(framer.next()).toEqual(m);
  });

  it('refuses a message too long for the length prefix', () => {
    expect(() => frameMessage(Buffer.alloc(MAX_FRAMED_MESSAGE + 1))).toThrow(RangeError);
  });
});
