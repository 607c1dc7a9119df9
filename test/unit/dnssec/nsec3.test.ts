// RFC 5155 §5 NSEC3 hashes against the example zone of RFC 5155 Appendix A, and base32hex against RFC 4648 §10.
import { describe, expect, it } from 'vitest';
import { base32hex, nsec3Hash, nsec3OwnerLabel } from '../../../src/dnssec/nsec3.js';
import { RFC5155_HASHES, RFC5155_ITERATIONS, RFC5155_SALT } from './rfc-vectors.js';

describe('nsec3OwnerLabel', () => {
  it.each(RFC5155_HASHES)('H(%s) = %s (RFC 5155 Appendix A)', (name, label) => {
    expect(nsec3OwnerLabel(name, RFC5155_SALT, RFC5155_ITERATIONS)).toBe(label);
  });

  it('hashes the canonical name, so case and a trailing dot do not matter', () => {
    expect(nsec3OwnerLabel('X.W.Example.', RFC5155_SALT, RFC5155_ITERATIONS)).toBe('b4um86eghhds6nea196smvmlo4ors995');
  });

  it('with no salt and no extra iterations (RFC 9276 §3.1) is one SHA-1 of the wire name', () => {
    // sha1(07 'example' 00), computed apart: printf 076578616d706c6500 | xxd -r -p | sha1sum
    expect(nsec3Hash('example', Buffer.alloc(0), 0)?.toString('hex')).toBe('1db8efa7dcb348bda7893fca1d8badfdb6996b01');
  });

  it('knows no hash algorithm but SHA-1 (RFC 5155 §8.1: the record is then ignored)', () => {
    expect(nsec3Hash('example', RFC5155_SALT, 12, 2)).toBeNull();
    expect(nsec3OwnerLabel('example', RFC5155_SALT, 12, 0)).toBeNull();
  });
});

describe('base32hex (RFC 4648 §7)', () => {
  it.each([
    ['', ''],
    ['f', 'co'],
    ['fo', 'cpng'],
    ['foo', 'cpnmu'],
    ['foob', 'cpnmuog'],
    ['fooba', 'cpnmuoj1'],
    ['foobar', 'cpnmuoj1e8'],
  ])('BASE32-HEX("%s") = "%s" (RFC 4648 §10, lower case and without padding)', (input, output) => {
    expect(base32hex(Buffer.from(input))).toBe(output);
  });
});
