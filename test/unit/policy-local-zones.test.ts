import { describe, expect, it } from 'vitest';
import { LocalZones } from '../../src/policy/local-zones.js';
import { Rcode } from '../../src/wire/types.js';

const q = (name: string, type = 'A') => ({ name, type, class: 'IN' });

describe('locally served zones (RFC 6761, RFC 6303)', () => {
  const local = new LocalZones(true);
  it('answers localhost and names below it with loopback addresses', () => {
    expect(local.answer(q('localhost'))!.answer[0]!.data).toBe('127.0.0.1');
    expect(local.answer(q('app.localhost', 'AAAA'))!.answer[0]!.data).toBe('::1');
    expect(local.answer(q('localhost', 'MX'))!.answer).toEqual([]);
  });
  it('answers private reverse zones with NXDOMAIN and the RFC 6303 SOA', () => {
    const r = local.answer(q('1.1.168.192.in-addr.arpa', 'PTR'))!;
    expect(r.rcode).toBe(Rcode.NXDOMAIN);
    expect(r.authority[0]!.name).toBe('168.192.in-addr.arpa');
    expect(local.answer(q('5.0.20.172.in-addr.arpa', 'PTR'))!.rcode).toBe(Rcode.NXDOMAIN);
    expect(local.answer(q('5.0.32.172.in-addr.arpa', 'PTR'))).toBeNull();
    expect(local.answer(q('10.in-addr.arpa', 'SOA'))!.answer[0]!.type).toBe('SOA');
  });
  it('keeps invalid. and home.arpa. local and lets everything else through', () => {
    expect(local.answer(q('anything.invalid'))!.rcode).toBe(Rcode.NXDOMAIN);
    expect(local.answer(q('printer.home.arpa'))!.rcode).toBe(Rcode.NXDOMAIN);
    expect(local.answer(q('www.example.com'))).toBeNull();
    expect(local.answer(q('8.8.8.8.in-addr.arpa', 'PTR'))).toBeNull();
  });
  it('can be switched off', () => {
    expect(new LocalZones(false).answer(q('localhost'))).toBeNull();
  });
});
