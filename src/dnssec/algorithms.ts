// DNSSEC signature algorithms (RFC 4034 Appendix A.1): DNSKEY public keys turned into Node KeyObjects and
// signatures checked with node:crypto. No cryptography is written here, only the key and signature formats.
import { LRUCache } from 'lru-cache';
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** RFC 8624 §3.1, the "DNSSEC Validation" column. */
export type ValidationRequirement = 'MUST NOT' | 'MAY' | 'RECOMMENDED' | 'MUST';

interface AlgorithmEntry {
  name: string;
  validation: ValidationRequirement;
  /** False where RFC 8624 does not require validation and we do not offer it. */
  supported: boolean;
}

/** RFC 8624 §3.1. Every MUST and RECOMMENDED is supported, and ED448 (MAY); the MUST NOTs and GOST (MAY) are not. */
export const ALGORITHMS: Readonly<Record<number, AlgorithmEntry>> = {
  1: { name: 'RSAMD5', validation: 'MUST NOT', supported: false },
  3: { name: 'DSA', validation: 'MUST NOT', supported: false },
  5: { name: 'RSASHA1', validation: 'MUST', supported: true },
  6: { name: 'DSA-NSEC3-SHA1', validation: 'MUST NOT', supported: false },
  7: { name: 'RSASHA1-NSEC3-SHA1', validation: 'MUST', supported: true },
  8: { name: 'RSASHA256', validation: 'MUST', supported: true },
  10: { name: 'RSASHA512', validation: 'MUST', supported: true },
  12: { name: 'ECC-GOST', validation: 'MAY', supported: false },
  13: { name: 'ECDSAP256SHA256', validation: 'MUST', supported: true },
  14: { name: 'ECDSAP384SHA384', validation: 'RECOMMENDED', supported: true },
  15: { name: 'ED25519', validation: 'RECOMMENDED', supported: true },
  16: { name: 'ED448', validation: 'MAY', supported: true },
};

export function isSupportedAlgorithm(algorithm: number): boolean {
  return ALGORITHMS[algorithm]?.supported === true;
}

/**
 * 'unsupported' is its own outcome: a zone signed only with algorithms we cannot validate is insecure, not bogus
 * (RFC 4035 §5.2, RFC 6840 §5.2).
 */
export type SignatureCheck =
  | { status: 'valid' }
  | { status: 'invalid'; reason: string }
  | { status: 'unsupported'; algorithm: number };

/** How one algorithm family reads a DNSKEY public key and checks a signature. */
interface Verifier {
  /** The KeyObject for a DNSKEY's public key field, or a reason it is malformed. */
  publicKey(key: Buffer): KeyObject | string;
  check(key: KeyObject, data: Buffer, signature: Buffer): boolean;
}

const b64url = (bytes: Buffer): string => bytes.toString('base64url');

/** Big-endian integers in JWK carry no leading zero octets (RFC 7518 §6.3.1.1). */
const withoutLeadingZeros = (bytes: Buffer): Buffer => {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
};

/** RFC 3110 §2: exponent length (one octet, or zero and then two), exponent, modulus. */
function rsaPublicKey(key: Buffer): KeyObject | string {
  const longLength = key[0] === 0;
  const exponentLength = longLength ? (key.length >= 3 ? key.readUInt16BE(1) : 0) : (key[0] ?? 0);
  const start = longLength ? 3 : 1;
  const exponent = key.subarray(start, start + exponentLength);
  const modulus = key.subarray(start + exponentLength);
  if (exponentLength === 0 || exponent.length < exponentLength || modulus.length === 0) return 'malformed RSA key';
  const jwk = { kty: 'RSA', n: b64url(withoutLeadingZeros(modulus)), e: b64url(withoutLeadingZeros(exponent)) };
  return createPublicKey({ key: jwk, format: 'jwk' });
}

function rsa(hash: string): Verifier {
  return {
    publicKey: rsaPublicKey,
    check: (key, data, signature) => verify(hash, data, key, signature),
  };
}

/** RFC 6605 §4: the public key is the point's X | Y, and the signature r | s (IEEE P1363), each `size` octets. */
function ecdsa(curve: string, hash: string, size: number): Verifier {
  return {
    publicKey(key) {
      if (key.length !== 2 * size) return `${curve} key of ${key.length} octets, not ${2 * size}`;
      const jwk = { kty: 'EC', crv: curve, x: b64url(key.subarray(0, size)), y: b64url(key.subarray(size)) };
      return createPublicKey({ key: jwk, format: 'jwk' });
    },
    check: (key, data, signature) =>
      signature.length === 2 * size && verify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature),
  };
}

/** RFC 8080 §3–4: the public key is the raw curve point; EdDSA hashes internally, so no digest is named. */
function eddsa(curve: string, keySize: number): Verifier {
  return {
    publicKey(key) {
      if (key.length !== keySize) return `${curve} key of ${key.length} octets, not ${keySize}`;
      return createPublicKey({ key: { kty: 'OKP', crv: curve, x: b64url(key) }, format: 'jwk' });
    },
    check: (key, data, signature) => verify(null, data, key, signature),
  };
}

/** RFC 3110 and RFC 5702 (RSA), RFC 6605 (ECDSA), RFC 8080 (EdDSA). */
const VERIFIERS: Readonly<Record<number, Verifier>> = {
  5: rsa('sha1'),
  7: rsa('sha1'),
  8: rsa('sha256'),
  10: rsa('sha512'),
  13: ecdsa('P-256', 'sha256', 32),
  14: ecdsa('P-384', 'sha384', 48),
  15: eddsa('Ed25519', 32),
  16: eddsa('Ed448', 57),
};

/**
 * Imported public keys by algorithm and key bytes: importing (createPublicKey from a JWK) costs about as much as
 * the verification itself, and a zone's few keys sign everything it serves. Bounded; what falls out is imported
 * again. Keys that fail to import are not kept (their reason is cheap to find again).
 */
const KEY_OBJECTS = new LRUCache<string, KeyObject>({ max: 2048 });

function importedKey(verifier: Verifier, algorithm: number, publicKey: Buffer): KeyObject | string {
  const id = `${algorithm}:${publicKey.toString('base64')}`;
  const kept = KEY_OBJECTS.get(id);
  if (kept) return kept;
  const key = verifier.publicKey(publicKey);
  if (typeof key !== 'string') KEY_OBJECTS.set(id, key);
  return key;
}

/** Checks `signature` over `data` with a DNSKEY's public key field. */
export function verifySignature(algorithm: number, publicKey: Buffer, data: Buffer, signature: Buffer): SignatureCheck {
  const verifier = isSupportedAlgorithm(algorithm) ? VERIFIERS[algorithm] : undefined;
  if (!verifier) return { status: 'unsupported', algorithm };
  try {
    const key = importedKey(verifier, algorithm, publicKey);
    if (typeof key === 'string') return { status: 'invalid', reason: key };
    return verifier.check(key, data, signature) ? { status: 'valid' } : { status: 'invalid', reason: 'signature does not verify' };
  } catch (e) {
    // node:crypto throws on keys it cannot import (a point off the curve) and on malformed signatures.
    return { status: 'invalid', reason: (e as Error).message };
  }
}
