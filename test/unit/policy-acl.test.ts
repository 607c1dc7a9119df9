import { describe, expect, it } from 'vitest';
import { DEFAULT_ALLOW } from '../../src/config/schema.js';
import { ErrorCode } from '../../src/errors.js';
import { createAcl } from '../../src/policy/acl.js';

describe('client ACL', () => {
  const acl = createAcl(DEFAULT_ALLOW);
  it('allows loopback and private networks by default, not the internet', () => {
    for (const a of ['127.0.0.1', '127.9.9.9', '10.1.2.3', '172.16.0.0', '172.31.255.255', '192.168.1.20', '::1', 'fd12::5', 'fe80::1', '::ffff:192.168.0.7']) {
      expect(acl.allows(a), a).toBe(true);
    }
    for (const a of ['172.15.255.255', '172.32.0.0', '8.8.8.8', '2001:db8::1', '::ffff:8.8.8.8', '11.0.0.1']) {
      expect(acl.allows(a), a).toBe(false);
    }
  });
  it('accepts 0.0.0.0/0 and ::/0 to open it up', () => {
    const open = createAcl(['0.0.0.0/0', '::/0']);
    expect(open.allows('8.8.8.8')).toBe(true);
    expect(open.allows('2001:db8::1')).toBe(true);
  });
  it('names a bad network', () => {
    let code = '';
    try {
      createAcl(['192.168.0.0/33']);
    } catch (e) {
      code = (e as { code: string }).code;
      expect((e as Error).message).toMatch(/192\.168\.0\.0\/33/);
    }
    expect(code).toBe(ErrorCode.CONFIG_VALUE);
    expect(() => createAcl(['not-an-ip'])).toThrow(/not-an-ip/);
  });
  it('deny wins over allow: one host or a guest subnet inside an allowed range', () => {
    const acl = createAcl(['192.168.0.0/16', '::1/128'], ['192.168.50.0/24', '192.168.1.66/32']);
    expect(acl.allows('192.168.1.10')).toBe(true);
    expect(acl.allows('192.168.1.66')).toBe(false);
    expect(acl.allows('192.168.50.7')).toBe(false);
    expect(acl.allows('::1')).toBe(true);
    expect(() => createAcl(['10.0.0.0/8'], ['10.0.0.0/99'])).toThrow(/deny/);
  });
});
