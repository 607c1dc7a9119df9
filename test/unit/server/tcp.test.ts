// The TCP listener on 127.0.0.1 (RFC 7766): framing across and within chunks, pipelining answered out of order,
// the in-flight cap, the idle timeout (§6.2.3), the connection cap, half-close, bad frames and graceful close.
import * as net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bindTcp, type TcpListener, type TcpOptions } from '../../../src/server/tcp.js';
import type { ClientInfo, QueryHandler } from '../../../src/server/types.js';
import { answerTo, deferred, echo, frame, ids, msg, sleep, TcpClient, type Deferred } from './helpers.js';

const LOOPBACK = { address: '127.0.0.1', port: 0, family: 4 as const };

describe('TCP listener', () => {
  let listener: TcpListener | null = null;
  const clients: TcpClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await listener?.close(100);
    listener = null;
  });
  const start = async (handler: QueryHandler, o: Partial<TcpOptions> = {}): Promise<number> => {
    listener = await bindTcp(LOOPBACK, handler, { idleTimeoutMs: 5000, maxConnections: 10, ...o });
    return (listener.server.address() as net.AddressInfo).port;
  };
  const connect = async (port: number): Promise<TcpClient> => {
    const c = await TcpClient.connect(port);
    clients.push(c);
    return c;
  };

  it('answers several queries in turn on one connection and tells the handler who asked', async () => {
    const seen: ClientInfo[] = [];
    const port = await start((q, client) => {
      seen.push(client);
      return answerTo(q);
    });
    const c = await connect(port);
    c.write(frame(msg(1)));
    await c.waitFrames(1);
    c.write(frame(msg(2)));
    const got = await c.waitFrames(2);
    expect(ids(got)).toEqual([1, 2]);
    expect(got[1]!.equals(answerTo(msg(2)))).toBe(true);
    expect(seen[0]).toEqual({ address: '127.0.0.1', port: c.socket.localPort, transport: 'tcp' });
  });

  it('handles two frames in one write and one frame split over writes (even inside the length)', async () => {
    const port = await start(echo);
    const c = await connect(port);
    c.write(Buffer.concat([frame(msg(10)), frame(msg(11, 300))]));
    await c.waitFrames(2);
    const third = frame(msg(12, 40));
    c.write(third.subarray(0, 1));
    await sleep(20);
    c.write(third.subarray(1, 9));
    await sleep(20);
    c.write(Buffer.concat([third.subarray(9), frame(msg(13)).subarray(0, 3)]));
    await sleep(20);
    c.write(frame(msg(13)).subarray(3));
    const got = await c.waitFrames(4);
    expect(ids(got)).toEqual([10, 11, 12, 13]);
    expect(got[1]!.length).toBe(300);
    expect(got[2]!.equals(answerTo(msg(12, 40)))).toBe(true);
  });

  it('answers pipelined queries as each completes, out of order (RFC 7766 §6.2.1.1)', async () => {
    const held = new Map<number, Deferred<void>>();
    const order: number[] = [];
    const port = await start(async (q) => {
      const id = q.readUInt16BE(0);
      order.push(id);
      const d = deferred<void>();
      held.set(id, d);
      await d.promise;
      return answerTo(q);
    });
    const c = await connect(port);
    c.write(Buffer.concat([frame(msg(0xa1)), frame(msg(0xb2))]));
    await vi.waitFor(() => expect(order).toEqual([0xa1, 0xb2]));
    held.get(0xb2)!.resolve();
    expect(ids(await c.waitFrames(1))).toEqual([0xb2]);
    held.get(0xa1)!.resolve();
    expect(ids(await c.waitFrames(2))).toEqual([0xb2, 0xa1]);
  });

  it('stops reading past the in-flight cap and resumes as answers go out', async () => {
    const held: Deferred<void>[] = [];
    const port = await start(
      async (q) => {
        const d = deferred<void>();
        held.push(d);
        await d.promise;
        return answerTo(q);
      },
      { maxInFlight: 4 },
    );
    const c = await connect(port);
    c.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => frame(msg(i)))));
    await vi.waitFor(() => expect(held.length).toBe(4));
    await sleep(50);
    expect(held.length).toBe(4); // the other six are waiting in the buffer
    held[0]!.resolve();
    await vi.waitFor(() => expect(held.length).toBe(5));
    for (let i = 0; i < 10; i++) {
      await vi.waitFor(() => expect(held.length).toBeGreaterThan(i));
      held[i]!.resolve();
    }
    expect(ids(await c.waitFrames(10)).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('closes a connection idle for the timeout (RFC 7766 §6.2.3)', async () => {
    const port = await start(echo, { idleTimeoutMs: 200 });
    const c = await connect(port);
    c.write(frame(msg(1)));
    await c.waitFrames(1);
    const t0 = Date.now();
    const elapsed = (await c.closedAt) - t0;
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(2000);
  });

  it('keeps a connection with a query in flight past the idle timeout, then closes it once idle', async () => {
    for (const answer of [true, false]) {
      const port = await start(
        async (q) => {
          await sleep(400);
          return answer ? answerTo(q) : null; // a null answer writes nothing, yet the idle clock must restart
        },
        { idleTimeoutMs: 150 },
      );
      const c = await connect(port);
      c.write(frame(msg(7)));
      await sleep(300);
      expect(c.closed).toBe(false);
      if (answer) expect(ids(await c.waitFrames(1))).toEqual([7]);
      const closedAt = await Promise.race([c.closedAt, sleep(2000).then(() => -1)]);
      expect(closedAt).toBeGreaterThan(0);
      await listener!.close(100);
    }
  });

  it('closes connections past the cap at once, and serves again once one leaves', async () => {
    const port = await start(echo, { maxConnections: 2 });
    const a = await connect(port);
    const b = await connect(port);
    for (const c of [a, b]) {
      c.write(frame(msg(1)));
      await c.waitFrames(1);
    }
    expect(listener!.connections()).toBe(2);
    const over = await connect(port);
    const closedAt = await Promise.race([over.closedAt, sleep(1000).then(() => -1)]);
    expect(closedAt).toBeGreaterThan(0);
    expect(over.frames).toHaveLength(0);
    a.destroy();
    await vi.waitFor(() => expect(listener!.connections()).toBe(1));
    const d = await connect(port);
    d.write(frame(msg(5)));
    expect(ids(await d.waitFrames(1))).toEqual([5]);
  });

  it('closes the connection on a zero-length frame', async () => {
    const port = await start(echo);
    const c = await connect(port);
    c.write(Buffer.from([0, 0]));
    const closedAt = await Promise.race([c.closedAt, sleep(1000).then(() => -1)]);
    expect(closedAt).toBeGreaterThan(0);
  });

  it('answers a client that half-closes after its query', async () => {
    const port = await start(async (q) => {
      await sleep(50);
      return answerTo(q);
    });
    const c = await connect(port);
    c.socket.end(frame(msg(9)));
    expect(ids(await c.waitFrames(1))).toEqual([9]);
    await c.closedAt;
  });

  it('survives handlers that throw or reject, and skips frames shorter than a header', async () => {
    let calls = 0;
    const port = await start((q) => {
      calls++;
      const id = q.readUInt16BE(0);
      if (id === 1) throw new Error('bug');
      if (id === 2) return Promise.reject(new Error('async bug'));
      return answerTo(q);
    });
    const c = await connect(port);
    c.write(Buffer.concat([frame(msg(1)), frame(msg(2)), frame(Buffer.from([0, 4, 0])), frame(msg(3))]));
    expect(ids(await c.waitFrames(1))).toEqual([3]);
    expect(calls).toBe(3);
    expect(c.closed).toBe(false);
  });

  it('close() ends idle connections, delivers answers in flight, refuses new connections', async () => {
    const d = deferred<void>();
    const port = await start(async (q) => {
      if (q.readUInt16BE(0) === 2) await d.promise;
      return answerTo(q);
    });
    const idle = await connect(port);
    const busy = await connect(port);
    busy.write(frame(msg(2)));
    await sleep(30);
    const t0 = Date.now();
    const closing = listener!.close(2000);
    await idle.closedAt;
    expect(busy.closed).toBe(false);
    await expect(TcpClient.connect(port)).rejects.toThrow(/ECONNREFUSED/);
    d.resolve();
    expect(ids(await busy.waitFrames(1))).toEqual([2]);
    await closing;
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(busy.closed).toBe(true);
  });

  it('close() gives up on answers after the grace period', async () => {
    const port = await start(() => new Promise<Buffer | null>(() => undefined));
    const c = await connect(port);
    c.write(frame(msg(1)));
    await sleep(30);
    const t0 = Date.now();
    await listener!.close(150);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    await c.closedAt;
  });
});
