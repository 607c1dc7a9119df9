// RFC 5155 §5: the NSEC3 hash of an owner name, and the base32hex form (RFC 4648 §7) NSEC3 owner names use.
import { createHash } from 'node:crypto';
import { canonicalNameWire } from './canonical.js';

/** RFC 5155 §11: hash algorithm 1 is SHA-1, the only one defined. */
const NSEC3_SHA1 = 1;

/**
 * RFC 5155 §5: IH(salt, x, 0) = H(x | salt); IH(salt, x, k) = H(IH(salt, x, k−1) | salt), over the owner name in
 * canonical wire form. Null for an unknown hash algorithm (RFC 5155 §8.1: such NSEC3 records are ignored).
 * The caller bounds `iterations` (RFC 9276 §3.2), as each one is a SHA-1 computation.
 */
export function nsec3Hash(name: string, salt: Buffer, iterations: number, algorithm: number = NSEC3_SHA1): Buffer | null {
  if (algorithm !== NSEC3_SHA1) return null;
  let digest = createHash('sha1').update(canonicalNameWire(name)).update(salt).digest();
  for (let i = 0; i < iterations; i++) digest = createHash('sha1').update(digest).update(salt).digest();
  return digest;
}

const BASE32HEX_ALPHABET = '0123456789abcdefghijklmnopqrstuv';

/** RFC 4648 §7 "Extended Hex" alphabet, lower case and unpadded, as in NSEC3 owner labels (RFC 5155 §3.3). */
export function base32hex(bytes: Buffer): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32HEX_ALPHABET[(buffer >> bits) & 0x1f];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32HEX_ALPHABET[(buffer << (5 - bits)) & 0x1f];
  return out;
}

/** The first label of the NSEC3 record that matches `name` in a zone with these NSEC3 parameters. */
export function nsec3OwnerLabel(name: string, salt: Buffer, iterations: number, algorithm: number = NSEC3_SHA1): string | null {
  const hash = nsec3Hash(name, salt, iterations, algorithm);
  return hash && base32hex(hash);
}
