// X-Forwarded-For behind trusted proxies: the header counts only from a trusted peer, and then the right-most hop
// that is not a trusted proxy is the client; what the client wrote itself (further left) is never taken.
import { describe, expect, it } from 'vitest';
import { clientAddress } from '../../../src/server/forwarded-for.js';
import { parseCidrs } from '../../../src/util/cidr.js';

const trusted = parseCidrs('trusted-proxies', ['127.0.0.2/32', '10.0.0.0/24', 'fd00::/64']);

describe('clientAddress', () => {
  it.each([
    ['an untrusted peer: the header is ignored', '127.0.0.1', '192.0.2.7', '127.0.0.1'],
    ['a trusted peer without the header: the peer (the proxy speaking for itself)', '127.0.0.2', undefined, '127.0.0.2'],
    ['one hop from a trusted proxy', '127.0.0.2', '192.0.2.7', '192.0.2.7'],
    ['a spoofed entry on the left is passed over: the right-most untrusted hop wins', '127.0.0.2', '198.51.100.1, 192.0.2.7', '192.0.2.7'],
    ['trusted proxies in a chain are skipped', '127.0.0.2', '192.0.2.7, 10.0.0.5', '192.0.2.7'],
    ['every hop trusted: the left-most', '127.0.0.2', '10.0.0.9, 10.0.0.5', '10.0.0.9'],
    ['a garbled hop: the trusted proxy that reported it', '127.0.0.2', '192.0.2.7, not-an-address, 10.0.0.5', '10.0.0.5'],
    ['ports on entries are dropped', '127.0.0.2', '192.0.2.7:4711', '192.0.2.7'],
    ['IPv6 with brackets and a port', '127.0.0.2', '[2001:db8::7]:4711', '2001:db8::7'],
    ['IPv6 plain, from an IPv6 proxy', 'fd00::1', '2001:db8::7', '2001:db8::7'],
    ['an IPv4-mapped trusted peer (dual-stack socket)', '::ffff:127.0.0.2', '192.0.2.7', '192.0.2.7'],
    ['empty entries are skipped', '127.0.0.2', '192.0.2.7, , ', '192.0.2.7'],
  ])('%s', (_what, peer, header, want) => {
    expect(clientAddress(peer, header, trusted)).toBe(want);
  });

  it('reads several header lines as one list, in order', () => {
    expect(clientAddress('127.0.0.2', ['198.51.100.1', '192.0.2.7, 10.0.0.5'], trusted)).toBe('192.0.2.7');
  });

  it('trusts nothing when no proxy is listed', () => {
    expect(clientAddress('127.0.0.2', '192.0.2.7', [])).toBe('127.0.0.2');
  });
});
