// The per-client token bucket: burst, refill, IPv6 /56 grouping, exemptions, and fairness between clients.
import { describe, expect, it } from 'vitest';
import { rateLimitGate } from '../../../src/policy/ratelimit.js';
import type { ClientInfo } from '../../../src/policy/stage.js';
import { parseCidrs } from '../../../src/util/cidr.js';
import { authoritative, rr } from '../../helpers/fake-net.js';
import { makePipeline, query } from '../../helpers/pipeline.js';

const udp = (address: string): ClientInfo => ({ address, port: 5000, transport: 'udp' });

function gate(o: { rate?: number; burst?: number; action?: 'drop' | 'truncate' } = {}) {
  let now = 0;
  let limited = 0;
  const g = rateLimitGate({ rate: o.rate ?? 10, burst: o.burst ?? 5, action: o.action ?? 'drop', exempt: parseCidrs('ratelimit-exempt', ['127.0.0.0/8', '::1/128']), nowMs: () => now, onLimited: () => limited++ });
  const passes = (address: string, n: number): number => {
    let ok = 0;
    for (let i = 0; i < n; i++) if (g.decide(udp(address)).kind === 'continue') ok++;
    return ok;
  };
  return { g, passes, advance: (ms: number) => (now += ms), limited: () => limited };
}

describe('rate limit gate', () => {
  it('lets a burst through, then the refill rate', () => {
    const t = gate({ rate: 10, burst: 5 });
    expect(t.passes('192.168.1.2', 20)).toBe(5);
    t.advance(1000);
    expect(t.passes('192.168.1.2', 20)).toBe(5); // 10 tokens refilled, capped at the burst
    t.advance(300);
    expect(t.passes('192.168.1.2', 20)).toBe(3);
    expect(t.limited()).toBe(15 + 15 + 17);
  });

  it('keeps clients apart, groups IPv6 by /56, and never limits loopback', () => {
    const t = gate({ rate: 1, burst: 2 });
    expect(t.passes('192.168.1.2', 10)).toBe(2);
    expect(t.passes('192.168.1.3', 10)).toBe(2);
    expect(t.passes('2001:db8:0:ab00::1', 10)).toBe(2);
    expect(t.passes('2001:db8:0:abff::9', 10)).toBe(0); // same /56
    expect(t.passes('2001:db8:0:ac00::1', 10)).toBe(2); // another /56
    expect(t.passes('127.0.0.1', 1000)).toBe(1000);
    expect(t.passes('::1', 1000)).toBe(1000);
  });

  it('answers TC=1 over UDP and nothing over TCP with action truncate', async () => {
    const ROOT = '127.2.0.1';
    const t = makePipeline(ROOT, { rateLimit: rateLimitGate({ rate: 1, burst: 1, action: 'truncate', exempt: [], nowMs: () => 0 }) });
    t.net.on(ROOT, authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT)]));
    const client = udp('192.168.1.2');
    await t.ask(query('localhost'), client);
    const second = (await t.ask(query('localhost'), client))!;
    expect(second.flags! & 0x0200).toBe(0x0200);
    expect(second.answers ?? []).toEqual([]);
    expect(await t.ask(query('localhost'), { ...client, transport: 'tcp' })).toBeNull();
  });

  it('one flooding client does not lower what another client gets', () => {
    const alone = gate({ rate: 100, burst: 20 });
    const together = gate({ rate: 100, burst: 20 });
    let aloneOk = 0;
    let togetherOk = 0;
    for (let ms = 0; ms < 5000; ms += 10) {
      alone.advance(10);
      together.advance(10);
      aloneOk += alone.passes('192.168.1.20', 1); // 100 q/s, within its limit
      together.passes('192.168.1.66', 50); // 5000 q/s flood
      togetherOk += together.passes('192.168.1.20', 1);
    }
    expect(togetherOk).toBeGreaterThanOrEqual(0.9 * aloneOk);
    expect(together.limited()).toBeGreaterThan(20_000);
  });
});
