// A DNS connection over an in-memory stream, no socket (RFC 7766): pipelined answers out of order (§6.2.1.1), the
// in-flight cap pausing and resuming reads, waiting for the reader, half-close, zero-length and short frames, the
// idle timeout (§6.2.3) on a fake clock, and shutdown after the answers in flight.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { serveStream, type StreamOptions } from '../../../src/server/stream.js';
import type { ClientInfo, QueryHandler } from '../../../src/server/types.js';
import { StreamFramer } from '../../../src/wire/framing.js';
import { memoryStreamPair, type MemoryEnd } from '../../helpers/memory-stream.js';
import { answerTo, deferred, echo, frame, ids, msg, type Deferred } from './helpers.js';

const CLIENT: ClientInfo = { address: '127.0.0.1', port: 40000, transport: 'tcp' };
const OPTIONS: StreamOptions = { idleTimeoutMs: 5000, maxInFlight: 32 };

/** Lets stream events (process.nextTick) and settled promises run. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

interface Reader {
  frames: Buffer[];
  ended: boolean;
}
/** Reads the client end: answers as frames, and whether the server ended its side. */
function read(client: MemoryEnd): Reader {
  const framer = new StreamFramer();
  const r: Reader = { frames: [], ended: false };
  client.on('data', (chunk: Buffer) => {
    framer.push(chunk);
    for (let m = framer.next(); m !== null; m = framer.next()) r.frames.push(m);
  });
  client.on('end', () => (r.ended = true));
  return r;
}

/** A handler that holds every query until the test releases it, in any order. */
function holding(): { handler: QueryHandler; held: Map<number, Deferred<void>>; order: number[] } {
  const held = new Map<number, Deferred<void>>();
  const order: number[] = [];
  const handler: QueryHandler = async (q) => {
    const id = q.readUInt16BE(0);
    order.push(id);
    const d = deferred<void>();
    held.set(id, d);
    await d.promise;
    return answerTo(q);
  };
  return { handler, held, order };
}

describe('DNS over a stream', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers pipelined queries as each completes, out of order, and tells the handler who asked', async () => {
    const { server, client } = memoryStreamPair();
    const seen: ClientInfo[] = [];
    const h = holding();
    serveStream(
      server,
      CLIENT,
      (q, c) => {
        seen.push(c);
        return h.handler(q, c);
      },
      OPTIONS,
    );
    const r = read(client);
    client.write(Buffer.concat([frame(msg(0xa1)), frame(msg(0xb2)), frame(msg(0xc3))]));
    await vi.waitFor(() => expect(h.order).toEqual([0xa1, 0xb2, 0xc3]));
    h.held.get(0xc3)!.resolve();
    await vi.waitFor(() => expect(ids(r.frames)).toEqual([0xc3]));
    h.held.get(0xa1)!.resolve();
    h.held.get(0xb2)!.resolve();
    await vi.waitFor(() => expect(ids(r.frames)).toEqual([0xc3, 0xa1, 0xb2]));
    expect(r.frames[1]!.equals(answerTo(msg(0xa1)))).toBe(true);
    expect(seen).toEqual([CLIENT, CLIENT, CLIENT]);
  });

  it('pauses reading at the in-flight cap and resumes as answers go out', async () => {
    const { server, client } = memoryStreamPair();
    const h = holding();
    serveStream(server, CLIENT, h.handler, { ...OPTIONS, maxInFlight: 2 });
    const r = read(client);
    client.write(Buffer.concat([frame(msg(1)), frame(msg(2)), frame(msg(3))]));
    await vi.waitFor(() => expect(h.order).toEqual([1, 2]));
    expect(server.isPaused()).toBe(true);
    client.write(Buffer.concat([frame(msg(4)), frame(msg(5))])); // stays unread while paused
    await settle();
    expect(h.order).toEqual([1, 2]);
    h.held.get(1)!.resolve();
    await vi.waitFor(() => expect(h.order).toEqual([1, 2, 3])); // the third was already read
    expect(server.isPaused()).toBe(true);
    h.held.get(2)!.resolve();
    h.held.get(3)!.resolve();
    await vi.waitFor(() => expect(h.order).toEqual([1, 2, 3, 4, 5])); // read again
    h.held.get(4)!.resolve();
    h.held.get(5)!.resolve();
    await vi.waitFor(() => expect(ids(r.frames)).toEqual([1, 2, 3, 4, 5]));
    expect(server.isPaused()).toBe(false);
  });

  it('stops reading while answers wait for a slow reader, and reads again on drain', async () => {
    const { server, client } = memoryStreamPair(64);
    const calls: number[] = [];
    const recordAndEcho: QueryHandler = (q) => {
      calls.push(q.readUInt16BE(0));
      return answerTo(q);
    };
    serveStream(server, CLIENT, recordAndEcho, OPTIONS);
    client.write(Buffer.concat([frame(msg(1, 100)), frame(msg(2, 100))]));
    await settle();
    expect(calls).toEqual([1, 2]); // both already read; their answers fill the server's write buffer
    expect(server.isPaused()).toBe(true);
    client.write(frame(msg(3, 100)));
    await settle();
    expect(calls).toEqual([1, 2]);
    const r = read(client); // the reader catches up: 'drain'
    await vi.waitFor(() => expect(ids(r.frames)).toEqual([1, 2, 3]));
    expect(calls).toEqual([1, 2, 3]);
  });

  it('answers what a half-closing client sent, then ends', async () => {
    const { server, client } = memoryStreamPair();
    const h = holding();
    serveStream(server, CLIENT, h.handler, OPTIONS);
    const r = read(client);
    client.end(Buffer.concat([frame(msg(8)), frame(msg(9))]));
    await vi.waitFor(() => expect(h.order).toEqual([8, 9]));
    h.held.get(9)!.resolve();
    await vi.waitFor(() => expect(ids(r.frames)).toEqual([9]));
    await settle();
    expect(r.ended).toBe(false); // one answer is still in flight
    h.held.get(8)!.resolve();
    await vi.waitFor(() => expect(r.ended).toBe(true));
    expect(ids(r.frames)).toEqual([9, 8]);
    expect(server.writableEnded).toBe(true);
  });

  it('destroys the stream on a zero-length frame and answers nothing after it', async () => {
    const { server, client } = memoryStreamPair();
    let calls = 0;
    const countAndEcho: QueryHandler = (q) => {
      calls++;
      return answerTo(q);
    };
    serveStream(server, CLIENT, countAndEcho, OPTIONS);
    const r = read(client);
    client.write(Buffer.concat([frame(msg(1)), Buffer.from([0, 0]), frame(msg(2))]));
    await vi.waitFor(() => expect(server.destroyed).toBe(true));
    await settle();
    expect(calls).toBe(1);
    expect(ids(r.frames)).toEqual([1]);
  });

  it('skips messages shorter than a DNS header, and survives handlers that throw or reject', async () => {
    const { server, client } = memoryStreamPair();
    const calls: number[] = [];
    serveStream(
      server,
      CLIENT,
      (q) => {
        const id = q.readUInt16BE(0);
        calls.push(id);
        if (id === 1) throw new Error('bug');
        if (id === 2) return Promise.reject(new Error('async bug'));
        return answerTo(q);
      },
      OPTIONS,
    );
    const r = read(client);
    client.write(Buffer.concat([frame(msg(7).subarray(0, 11)), frame(msg(1)), frame(msg(2)), frame(msg(3))]));
    await vi.waitFor(() => expect(ids(r.frames)).toEqual([3]));
    expect(calls).toEqual([1, 2, 3]);
    expect(server.destroyed).toBe(false);
  });

  it('closes after the idle timeout, counted from the last query or answer (RFC 7766 §6.2.3)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { server, client } = memoryStreamPair();
    const slow = deferred<void>();
    serveStream(
      server,
      CLIENT,
      async (q) => {
        if (q.readUInt16BE(0) === 1) return null; // nothing written: only the query counts as traffic
        await slow.promise;
        return answerTo(q);
      },
      { ...OPTIONS, idleTimeoutMs: 1000 },
    );
    const r = read(client);
    vi.advanceTimersByTime(600);
    client.write(frame(msg(1)));
    await settle();
    vi.advanceTimersByTime(999);
    expect(server.destroyed).toBe(false);
    client.write(frame(msg(2)));
    await settle();
    vi.advanceTimersByTime(800);
    slow.resolve();
    await settle();
    expect(ids(r.frames)).toEqual([2]);
    vi.advanceTimersByTime(999); // the clock restarted when the answer was written
    expect(server.destroyed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(server.destroyed).toBe(true);
  });

  it('keeps a busy connection past the idle timeout and restarts the clock when the last answer is done', async () => {
    for (const answer of [true, false]) {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const { server, client } = memoryStreamPair();
      const d = deferred<void>();
      serveStream(
        server,
        CLIENT,
        async (q) => {
          await d.promise;
          return answer ? answerTo(q) : null; // a null answer writes nothing, yet the idle clock must restart
        },
        { ...OPTIONS, idleTimeoutMs: 1000 },
      );
      const r = read(client);
      client.write(frame(msg(7)));
      await settle();
      vi.advanceTimersByTime(2500);
      expect(server.destroyed).toBe(false);
      d.resolve();
      await settle();
      expect(ids(r.frames)).toEqual(answer ? [7] : []);
      vi.advanceTimersByTime(999);
      expect(server.destroyed).toBe(false);
      vi.advanceTimersByTime(1);
      expect(server.destroyed).toBe(true);
      vi.useRealTimers();
    }
  });

  it('never closes for idleness with an idle timeout of 0, as a socket timeout of 0', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { server, client } = memoryStreamPair();
    serveStream(server, CLIENT, echo, { ...OPTIONS, idleTimeoutMs: 0 });
    const r = read(client);
    client.write(frame(msg(1)));
    await settle();
    vi.advanceTimersByTime(3_600_000);
    expect(ids(r.frames)).toEqual([1]);
    expect(server.destroyed).toBe(false);
  });

  it('shutdown() stops reading, writes the answers in flight, then ends', async () => {
    const { server, client } = memoryStreamPair();
    const h = holding();
    const conn = serveStream(server, CLIENT, h.handler, { ...OPTIONS, maxInFlight: 1 });
    const r = read(client);
    client.write(Buffer.concat([frame(msg(1)), frame(msg(2))])); // the second waits behind the cap
    await vi.waitFor(() => expect(h.order).toEqual([1]));
    conn.shutdown();
    client.write(frame(msg(3))); // too late: never read
    await settle();
    expect(h.order).toEqual([1]);
    expect(r.ended).toBe(false);
    h.held.get(1)!.resolve();
    await vi.waitFor(() => expect(r.ended).toBe(true));
    expect(ids(r.frames)).toEqual([1]);
    expect(h.order).toEqual([1]);
  });

  it('shutdown() ends an idle connection at once', async () => {
    const { server, client } = memoryStreamPair();
    const conn = serveStream(server, CLIENT, echo, OPTIONS);
    const r = read(client);
    conn.shutdown();
    await vi.waitFor(() => expect(r.ended).toBe(true));
    expect(server.writableEnded).toBe(true);
  });
});
