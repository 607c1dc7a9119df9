// ServerSelector: every try's report lands in the one infrastructure cache, and choose/profile/timeout read it.
import { describe, expect, it } from 'vitest';
import { InfraCache } from '../../../src/cache/infra-cache.js';
import { ServerSelector } from '../../../src/resolver/servers.js';
import { ManualClock } from '../../../src/util/clock.js';
import type { Random } from '../../../src/util/random.js';

const keepOrder: Random = { u16: () => 0, below: () => 0, shuffle: (xs) => xs.slice() };
const A = { address: '127.0.0.1', port: 53 };
const B = { address: '127.0.0.2', port: 53 };

function setUp(caseRandomisation = true): { infra: InfraCache; servers: ServerSelector } {
  const infra = new InfraCache(new ManualClock());
  return { infra, servers: new ServerSelector(infra, keepOrder, { caseRandomisation, upstreamTimeoutMs: 800 }) };
}

describe('ServerSelector', () => {
  it('a lame report puts the server last for that zone and query type only', () => {
    const { servers } = setUp();
    const cands = [
      { nsName: 'a', addr: A },
      { nsName: 'b', addr: B },
    ];
    servers.report(A, 'example', 'AAAA', { kind: 'lame' });
    expect(servers.choose(cands, 'example', 'AAAA').map((c) => c.nsName)).toEqual(['b', 'a']);
    expect(servers.choose(cands, 'example', 'A').map((c) => c.nsName)).toEqual(['a', 'b']);
    expect(servers.choose(cands, 'example.net', 'AAAA').map((c) => c.nsName)).toEqual(['a', 'b']);
  });

  it('learns EDNS and 0x20 support from the reports, and the profile says so', () => {
    const { servers } = setUp();
    expect(servers.profile(A)).toEqual({ edns: true, randomCase: true });
    servers.report(A, 'example', 'A', { kind: 'edns-rejected', tcp: false, rttMs: 10, rcode: 'FORMERR' });
    servers.report(A, 'example', 'A', { kind: 'case-mismatch', tcp: false });
    expect(servers.profile(A)).toEqual({ edns: false, randomCase: false });
    expect(servers.profile(B)).toEqual({ edns: true, randomCase: true });
    expect(setUp(false).servers.profile(A).randomCase).toBe(false);
  });

  it('timeouts back off the RTO; replies measure it; TCP tries wait longer; upstream-timeout caps it', () => {
    const { servers } = setUp();
    servers.report(A, 'example', 'A', { kind: 'reply', tcp: false, rttMs: 20 });
    const measured = servers.timeoutMs(A, false);
    expect(measured).toBeLessThan(800);
    expect(servers.timeoutMs(A, true)).toBe(measured * 3);
    servers.report(B, 'example', 'A', { kind: 'timeout', tcp: false, rtoMs: servers.rtoMs(B) });
    servers.report(B, 'example', 'A', { kind: 'timeout', tcp: false, rtoMs: servers.rtoMs(B) });
    servers.report(B, 'example', 'A', { kind: 'timeout', tcp: false, rtoMs: servers.rtoMs(B) });
    expect(servers.timeoutMs(B, false)).toBe(800);
    servers.report(B, 'example', 'A', { kind: 'neterror', tcp: false, error: 'ECONNREFUSED' });
    expect(servers.timeoutMs(B, false)).toBe(800);
  });
});
