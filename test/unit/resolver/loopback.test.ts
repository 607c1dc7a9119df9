import { describe, expect, it } from 'vitest';
import { parseRootHints } from '../../../src/resolver/hints.js';
import { isLoopbackAddress, mayQueryLoopback } from '../../../src/resolver/loopback.js';

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.255.1.2', '::1', '0:0:0:0:0:0:0:1', '0::1', '::ffff:127.0.0.1'])('%s is loopback', (a) => {
    expect(isLoopbackAddress(a)).toBe(true);
  });
  it.each(['128.0.0.1', '10.0.0.1', '::', '::2', '1::1', '2001:db8::1', 'fe80::1'])('%s is not', (a) => {
    expect(isLoopbackAddress(a)).toBe(false);
  });
});

describe('mayQueryLoopback', () => {
  const hints = (address: string) => parseRootHints(`. 3600000 NS a.root.test.\na.root.test. 3600000 A ${address}\n`);
  it('no by default on the internet, yes in a lab or when allowed', () => {
    expect(mayQueryLoopback(true, hints('198.41.0.4'))).toBe(false);
    expect(mayQueryLoopback(true, hints('127.1.0.1'))).toBe(true);
    expect(mayQueryLoopback(false, hints('198.41.0.4'))).toBe(true);
  });
});
