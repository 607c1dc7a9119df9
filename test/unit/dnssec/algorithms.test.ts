// Signature checks per algorithm: the RFC 3110 RSA key format (both exponent-length forms) with RSA/SHA-1, which
// has no published vector here, round-tripped through node:crypto; malformed keys; the RFC 8624 table.
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ALGORITHMS, isSupportedAlgorithm, verifySignature } from '../../../src/dnssec/algorithms.js';
import { RFC6605, RFC8080 } from './rfc-vectors.js';

/** RFC 3110 §2 public key field: a one-octet exponent length, or 0 and a two-octet length; exponent; modulus. */
function rfc3110(e: Buffer, n: Buffer, longForm = false): Buffer {
  const length = longForm ? Buffer.from([0, e.length >> 8, e.length & 0xff]) : Buffer.from([e.length]);
  return Buffer.concat([length, e, n]);
}

const rsaKey = generateKeyPairSync('rsa', { modulusLength: 1024 });
const jwk = rsaKey.publicKey.export({ format: 'jwk' });
const exponent = Buffer.from(jwk.e!, 'base64url');
const modulus = Buffer.from(jwk.n!, 'base64url');
const data = Buffer.from('signed data');

describe('verifySignature: RSA (RFC 3110, RFC 5702)', () => {
  it.each([
    [5, 'sha1'],
    [7, 'sha1'],
    [8, 'sha256'],
    [10, 'sha512'],
  ])('algorithm %i checks PKCS #1 v1.5 signatures with %s', (algorithm, hash) => {
    const signature = sign(hash, data, rsaKey.privateKey);
    expect(verifySignature(algorithm, rfc3110(exponent, modulus), data, signature)).toEqual({ status: 'valid' });
    expect(verifySignature(algorithm, rfc3110(exponent, modulus, true), data, signature)).toEqual({ status: 'valid' });
    expect(verifySignature(algorithm, rfc3110(exponent, modulus), Buffer.from('other data'), signature).status).toBe('invalid');
  });

  it('does not accept a signature made with another hash than the algorithm names', () => {
    const sha256Signature = sign('sha256', data, rsaKey.privateKey);
    expect(verifySignature(10, rfc3110(exponent, modulus), data, sha256Signature).status).toBe('invalid');
  });

  it('reports a truncated key field as invalid', () => {
    expect(verifySignature(8, Buffer.from([3, 1, 0]), data, Buffer.alloc(64)).status).toBe('invalid');
    expect(verifySignature(8, Buffer.alloc(0), data, Buffer.alloc(64)).status).toBe('invalid');
    expect(verifySignature(8, Buffer.from([0, 0]), data, Buffer.alloc(64)).status).toBe('invalid');
  });
});

describe('verifySignature: ECDSA and EdDSA key formats', () => {
  it('refuses keys and signatures of the wrong length, and a point not on the curve', () => {
    expect(verifySignature(13, RFC6605.p256.key.key.subarray(1), data, Buffer.alloc(64)).status).toBe('invalid');
    expect(verifySignature(14, RFC6605.p256.key.key, data, Buffer.alloc(96)).status).toBe('invalid');
    expect(verifySignature(13, RFC6605.p256.key.key, data, Buffer.alloc(63)).status).toBe('invalid');
    expect(verifySignature(13, Buffer.alloc(64, 1), data, Buffer.alloc(64)).status).toBe('invalid');
    expect(verifySignature(15, RFC8080.ed448[0]!.key.key, data, Buffer.alloc(64)).status).toBe('invalid');
    expect(verifySignature(16, RFC8080.ed25519[0]!.key.key, data, Buffer.alloc(114)).status).toBe('invalid');
  });
});

describe('the RFC 8624 §3.1 algorithm table', () => {
  it('supports every MUST and RECOMMENDED, and none of the MUST NOTs', () => {
    for (const [number, entry] of Object.entries(ALGORITHMS)) {
      if (entry.validation === 'MUST' || entry.validation === 'RECOMMENDED') expect(entry.supported, entry.name).toBe(true);
      if (entry.validation === 'MUST NOT') expect(entry.supported, entry.name).toBe(false);
      expect(isSupportedAlgorithm(Number(number))).toBe(entry.supported);
    }
    expect(Object.entries(ALGORITHMS).filter(([, e]) => e.supported).map(([n]) => Number(n))).toEqual([5, 7, 8, 10, 13, 14, 15, 16]);
  });

  it.each([0, 1, 3, 6, 12, 252, 253, 254, 255])('algorithm %i is unsupported, not invalid', (algorithm) => {
    expect(verifySignature(algorithm, Buffer.alloc(64), data, Buffer.alloc(64))).toEqual({ status: 'unsupported', algorithm });
  });
});
