// CIDR parsing as a value result, and matching addresses of both families (and IPv4-mapped IPv6) against networks.
import { describe, expect, it } from 'vitest';
import { badNetworkMessage, inAnyCidr, parseCidr, v6ToBytes, type Cidr } from '../../../src/util/cidr.js';

function nets(...texts: string[]): Cidr[] {
  return texts.map((t) => {
    const p = parseCidr(t);
    if (!p.ok) throw new Error(`${t}: ${p.reason}`);
    return p.cidr;
  });
}

describe('parseCidr', () => {
  it('parses networks of both families and bare addresses', () => {
    expect(parseCidr('192.168.0.0/16')).toEqual({ ok: true, cidr: { family: 4, base: 0xc0a80000, mask: 0xffff0000 } });
    expect(parseCidr(' 10.1.2.3 ')).toEqual({ ok: true, cidr: { family: 4, base: 0x0a010203, mask: 0xffffffff } });
    expect(parseCidr('0.0.0.0/0')).toEqual({ ok: true, cidr: { family: 4, base: 0, mask: 0 } });
    const v6 = parseCidr('fd00::/8');
    expect(v6.ok && v6.cidr.family === 6 && v6.cidr.prefix).toBe(8);
    const bare = parseCidr('::1');
    expect(bare.ok && bare.cidr.family === 6 && bare.cidr.prefix).toBe(128);
  });

  it('says why a network is not valid, without throwing', () => {
    expect(parseCidr('192.168.0.0/33')).toEqual({ ok: false, reason: 'prefix must be 0 to 32' });
    expect(parseCidr('fd00::/129')).toEqual({ ok: false, reason: 'prefix must be 0 to 128' });
    expect(parseCidr('10.0.0.0/x')).toEqual({ ok: false, reason: 'prefix must be 0 to 32' });
    expect(parseCidr('10.0.0.0/')).toEqual({ ok: false, reason: 'prefix must be 0 to 32' });
    expect(parseCidr('not-an-ip')).toEqual({ ok: false, reason: 'not an IP address' });
    expect(parseCidr('')).toEqual({ ok: false, reason: 'not an IP address' });
  });

  it('names the setting and the network in the message', () => {
    expect(badNetworkMessage('allow', '192.168.0.0/33', 'prefix must be 0 to 32')).toBe(
      "'192.168.0.0/33' is not a valid network for 'allow': prefix must be 0 to 32 (e.g. 192.168.0.0/16 or fd00::/8)",
    );
  });
});

describe('inAnyCidr', () => {
  const networks = nets('127.0.0.0/8', '172.16.0.0/12', 'fd00::/8', 'fe80::/10');
  it('matches IPv4 by prefix', () => {
    for (const a of ['127.0.0.1', '127.255.255.255', '172.16.0.0', '172.31.255.255']) expect(inAnyCidr(networks, a), a).toBe(true);
    for (const a of ['128.0.0.1', '172.15.255.255', '172.32.0.0']) expect(inAnyCidr(networks, a), a).toBe(false);
  });
  it('matches IPv6 by prefix, including prefixes that end inside a byte', () => {
    for (const a of ['fd12::5', 'fe80::1', 'febf:ffff::1']) expect(inAnyCidr(networks, a), a).toBe(true);
    for (const a of ['fc00::1', 'fec0::1', '2001:db8::1', '::1']) expect(inAnyCidr(networks, a), a).toBe(false);
  });
  it('matches an IPv4-mapped IPv6 address as its IPv4 address, and nothing that is not an address', () => {
    expect(inAnyCidr(networks, '::ffff:127.0.0.2')).toBe(true);
    expect(inAnyCidr(networks, '::ffff:8.8.8.8')).toBe(false);
    expect(inAnyCidr(nets('::/0'), '::ffff:8.8.8.8')).toBe(false); // an IPv4 client is not in an IPv6 network
    expect(inAnyCidr(nets('0.0.0.0/0', '::/0'), 'localhost')).toBe(false);
  });
  it('expands :: and dotted IPv4 tails to 16 bytes', () => {
    expect([...v6ToBytes('::1')]).toEqual([...Array(15).fill(0), 1]);
    expect([...v6ToBytes('64:ff9b::192.0.2.1')]).toEqual([0, 0x64, 0xff, 0x9b, ...Array(8).fill(0), 192, 0, 2, 1]);
    expect([...v6ToBytes('fe80::1%eth0')]).toEqual([0xfe, 0x80, ...Array(13).fill(0), 1]);
  });
});
