// The UDP listener on 127.0.0.1: request/response, who-asked info, silent drops (short datagrams, null answers,
// handler failures) that never stop the listener, and close() waiting for answers in flight.
import * as dgram from 'node:dgram';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ClientInfo, QueryHandler } from '../../../src/server/types.js';
import { bindUdp, serveUdp, type UdpListener } from '../../../src/server/udp.js';
import { answerTo, deferred, echo, msg, udpAsk } from './helpers.js';

describe('UDP listener', () => {
  let listener: UdpListener | null = null;
  afterEach(async () => {
    await listener?.close(100);
    listener = null;
  });
  const start = async (handler: QueryHandler): Promise<number> => {
    listener = await bindUdp({ address: '127.0.0.1', port: 0, family: 4 }, handler);
    return listener.socket.address().port;
  };

  it('answers the sender and tells the handler who asked', async () => {
    const seen: ClientInfo[] = [];
    const port = await start((q, client) => {
      seen.push(client);
      return answerTo(q);
    });
    const client = dgram.createSocket('udp4');
    const reply = await new Promise<Buffer>((resolve) => {
      client.on('message', resolve);
      client.bind(0, '127.0.0.1', () => client.send(msg(0x1234, 33), port, '127.0.0.1'));
    });
    expect(reply.equals(answerTo(msg(0x1234, 33)))).toBe(true);
    expect(seen).toEqual([{ address: '127.0.0.1', port: client.address().port, transport: 'udp' }]);
    client.close();
  });

  it('sends answers that come back asynchronously', async () => {
    const port = await start(async (q) => {
      await new Promise((r) => setTimeout(r, 20));
      return answerTo(q);
    });
    const replies = await Promise.all([1, 2, 3].map((id) => udpAsk(port, msg(id))));
    expect(replies.map((r) => r?.readUInt16BE(0))).toEqual([1, 2, 3]);
  });

  it('drops datagrams shorter than a header without calling the handler', async () => {
    let calls = 0;
    const port = await start((q) => {
      calls++;
      return answerTo(q);
    });
    expect(await udpAsk(port, Buffer.alloc(11, 1), 200)).toBeNull();
    expect(calls).toBe(0);
    expect((await udpAsk(port, msg(5, 12)))?.readUInt16BE(0)).toBe(5);
    expect(calls).toBe(1);
  });

  it('sends nothing for null, survives throwing and rejecting handlers', async () => {
    const port = await start((q) => {
      const id = q.readUInt16BE(0);
      if (id === 1) return null;
      if (id === 2) throw new Error('bug');
      if (id === 3) return Promise.reject(new Error('async bug'));
      if (id === 4) return Promise.resolve(null);
      return answerTo(q);
    });
    const replies = await Promise.all([1, 2, 3, 4].map((id) => udpAsk(port, msg(id), 200)));
    expect(replies).toEqual([null, null, null, null]);
    expect((await udpAsk(port, msg(6)))?.readUInt16BE(0)).toBe(6);
  });

  it('close() ignores new datagrams but sends answers in flight before closing', async () => {
    const d = deferred<void>();
    let calls = 0;
    const port = await start(async (q) => {
      calls++;
      await d.promise;
      return answerTo(q);
    });
    const reply = udpAsk(port, msg(8), 2000);
    await vi.waitFor(() => expect(listener!.inFlight()).toBe(1));
    const closing = listener!.close(2000);
    expect(await udpAsk(port, msg(9), 100)).toBeNull();
    d.resolve();
    expect((await reply)?.readUInt16BE(0)).toBe(8);
    await closing;
    expect(calls).toBe(1);
  });

  it('close() gives up on answers after the grace period, and a late answer does not throw', async () => {
    const d = deferred<void>();
    const port = await start(async (q) => {
      await d.promise;
      return answerTo(q);
    });
    void udpAsk(port, msg(1), 300);
    await vi.waitFor(() => expect(listener!.inFlight()).toBe(1));
    const t0 = Date.now();
    await listener!.close(100);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(80);
    d.resolve(); // sending on the closed socket must be swallowed, not an unhandled rejection
    await new Promise((r) => setTimeout(r, 20));
    listener = null;
  });

  it('serves an already-bound socket', async () => {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    listener = serveUdp(socket, echo);
    expect((await udpAsk(socket.address().port, msg(3)))?.readUInt16BE(0)).toBe(3);
  });
});
