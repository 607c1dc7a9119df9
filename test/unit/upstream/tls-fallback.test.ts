// tls-fallback: plain, with scripted TLS and plain sends and a manual clock: which failures send a query in the
// clear (and where to), the hold before TLS is tried again, TC over UDP going to TCP, and the time budget kept.
import { describe, expect, it } from 'vitest';
import type { QueryOptions, TlsTarget, TransportResult } from '../../../src/upstream/transport.js';
import { PLAIN_HOLD_MS, TlsWithFallback, type FallbackEvent } from '../../../src/upstream/tls-fallback.js';
import type { ServerAddr } from '../../../src/wire/types.js';

const SERVER: ServerAddr = { address: '192.168.1.1', port: 853 };
const QUERY = Buffer.from([0x12, 0x34, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
const reply = (tc = false): TransportResult => ({ kind: 'reply', bytes: Buffer.from([0x12, 0x34, tc ? 0x83 : 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0]), rttMs: 1 });
const target = (tcp = false): TlsTarget & { plain: { port: number; tcp: boolean } } => ({ name: 'router.lan', pin: '', ca: '', plain: { port: 53, tcp } });

function rig(tlsResults: TransportResult[], plainResults: TransportResult[] = [reply()], o: { established?: boolean; tlsTakesMs?: number } = {}) {
  let now = 1000;
  const tlsSends: ServerAddr[] = [];
  const plainSends: { to: ServerAddr; tcp: boolean; timeoutMs: number }[] = [];
  const events: FallbackEvent[] = [];
  let plainQueries = 0;
  const f = new TlsWithFallback(
    async (to) => {
      tlsSends.push(to);
      now += o.tlsTakesMs ?? 0;
      return tlsResults.shift() ?? reply();
    },
    () => o.established ?? false,
    async (to, _w, q: QueryOptions) => {
      plainSends.push({ to, tcp: q.tcp, timeoutMs: q.timeoutMs });
      return plainResults.shift() ?? reply();
    },
    { onFallback: (e) => events.push(e), onPlain: () => plainQueries++ },
    () => now,
  );
  const ask = (tcp = false) => f.query(SERVER, QUERY, { tcp: true, timeoutMs: 1000, tls: target(tcp) });
  return { ask, tlsSends, plainSends, events, advance: (ms: number) => (now += ms), plainQueries: () => plainQueries };
}

describe('TlsWithFallback', () => {
  it('uses TLS while it works and never sends in the clear', async () => {
    const r = rig([reply()]);
    expect((await r.ask()).kind).toBe('reply');
    expect([r.tlsSends.length, r.plainSends.length, r.events.length]).toEqual([1, 0, 0]);
  });

  it('sends in the clear to port 53 of the same address when TLS fails, with the time that is left', async () => {
    const r = rig([{ kind: 'neterror', error: 'ECONNREFUSED' }], [reply()], { tlsTakesMs: 300 });
    expect((await r.ask()).kind).toBe('reply');
    expect(r.plainSends).toEqual([{ to: { address: '192.168.1.1', port: 53 }, tcp: false, timeoutMs: 700 }]);
    expect(r.events).toEqual([{ server: '192.168.1.1:853', reason: 'ECONNREFUSED' }]);
    expect(r.plainQueries()).toBe(1);
  });

  it('stays in the clear for the hold period, then tries TLS again', async () => {
    const r = rig([{ kind: 'neterror', error: 'the server key does not match tls-pin' }, reply()], [reply(), reply()]);
    await r.ask();
    await r.ask();
    expect([r.tlsSends.length, r.plainSends.length]).toEqual([1, 2]);
    r.advance(PLAIN_HOLD_MS);
    await r.ask();
    expect([r.tlsSends.length, r.plainSends.length]).toEqual([2, 2]);
  });

  it('takes a timeout with no TLS connection up for a TLS failure: that try times out, the next goes in the clear', async () => {
    const r = rig([{ kind: 'timeout' }], [reply()], { established: false });
    expect((await r.ask()).kind).toBe('timeout');
    expect(r.events).toHaveLength(1);
    expect((await r.ask()).kind).toBe('reply');
    expect([r.tlsSends.length, r.plainSends.length]).toEqual([1, 1]);
  });

  it('takes a timeout on a working TLS connection for a slow answer, not a reason to go plain', async () => {
    const r = rig([{ kind: 'timeout' }, reply()], [], { established: true });
    expect((await r.ask()).kind).toBe('timeout');
    await r.ask();
    expect([r.tlsSends.length, r.plainSends.length, r.events.length]).toEqual([2, 0, 0]);
  });

  it('asks again over TCP when the plain UDP reply is truncated, and over TCP only when the zone says tcp', async () => {
    const udpFirst = rig([{ kind: 'neterror', error: 'ECONNRESET' }], [reply(true), reply()]);
    await udpFirst.ask();
    expect(udpFirst.plainSends.map((s) => s.tcp)).toEqual([false, true]);
    const tcpOnly = rig([{ kind: 'neterror', error: 'ECONNRESET' }], [reply()]);
    await tcpOnly.ask(true);
    expect(tcpOnly.plainSends.map((s) => s.tcp)).toEqual([true]);
  });

  it('gives up without a plain send when TLS used the whole budget', async () => {
    const r = rig([{ kind: 'neterror', error: 'connection closed' }], [reply()], { tlsTakesMs: 1000 });
    expect((await r.ask()).kind).toBe('timeout');
    expect(r.plainSends).toHaveLength(0);
  });
});
