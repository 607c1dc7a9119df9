// Signing, for the lab (issue 19) and for round-trip tests: keys made with node:crypto, their DNSKEY RDATA, and
// RRSIGs over RRsets for a validity window the caller gives, so a test or the lab controls the clock.
import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { DnskeyData, RrsigData } from 'dns-packet';
import type { RR } from '../wire/types.js';
import { rrsigLabelCount, rrsigSignedData } from './canonical.js';
import { DNSKEY_FLAGS } from './dnskey.js';
import { keyTag } from './keytag.js';

/** ECDSAP256SHA256, ECDSAP384SHA384 (RFC 6605), ED25519, ED448 (RFC 8080): the algorithms with compact keys. */
export type SigningAlgorithm = 13 | 14 | 15 | 16;

interface Signer {
  generate(): KeyObject;
  /** The DNSKEY public key field for a public key: X | Y for ECDSA, the raw point for EdDSA. */
  publicKeyField(publicKey: KeyObject): Buffer;
  sign(data: Buffer, privateKey: KeyObject): Buffer;
}

const fromB64url = (text: string | undefined): Buffer => Buffer.from(text ?? '', 'base64url');

function ecdsaSigner(namedCurve: string, hash: string): Signer {
  return {
    generate: () => generateKeyPairSync('ec', { namedCurve }).privateKey,
    publicKeyField(publicKey) {
      const jwk = publicKey.export({ format: 'jwk' });
      return Buffer.concat([fromB64url(jwk.x), fromB64url(jwk.y)]);
    },
    // RFC 6605 §4: r | s, not DER.
    sign: (data, privateKey) => sign(hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' }),
  };
}

function eddsaSigner(type: 'ed25519' | 'ed448'): Signer {
  return {
    generate: () => (type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ed448')).privateKey,
    publicKeyField: (publicKey) => fromB64url(publicKey.export({ format: 'jwk' }).x),
    sign: (data, privateKey) => sign(null, data, privateKey),
  };
}

const SIGNERS: Readonly<Record<SigningAlgorithm, Signer>> = {
  13: ecdsaSigner('P-256', 'sha256'),
  14: ecdsaSigner('P-384', 'sha384'),
  15: eddsaSigner('ed25519'),
  16: eddsaSigner('ed448'),
};

export interface SigningKey {
  /** The zone the key belongs to: the DNSKEY's owner and the RRSIGs' signer name. */
  owner: string;
  dnskey: DnskeyData & { algorithm: SigningAlgorithm };
  keyTag: number;
  privateKey: KeyObject;
}

/** A key that both signs the DNSKEY RRset and the zone's data (Zone Key and SEP set: flags 257). */
export const COMBINED_KEY_FLAGS = DNSKEY_FLAGS.ZONE | DNSKEY_FLAGS.SEP;

/** The signing key for an existing private key; its DNSKEY is derived from the key's public half. */
export function signingKeyFrom(owner: string, algorithm: SigningAlgorithm, flags: number, privateKey: KeyObject): SigningKey {
  const dnskey = { flags, algorithm, key: SIGNERS[algorithm].publicKeyField(createPublicKey(privateKey)) };
  return { owner, dnskey, keyTag: keyTag(dnskey), privateKey };
}

export function generateSigningKey(owner: string, algorithm: SigningAlgorithm, flags: number = COMBINED_KEY_FLAGS): SigningKey {
  return signingKeyFrom(owner, algorithm, flags, SIGNERS[algorithm].generate());
}

/** Seconds since the epoch, as RRSIG Inception and Expiration hold them (RFC 4034 §3.1.5). */
export interface SignatureWindow {
  inception: number;
  expiration: number;
}

/** A window that starts `backdateSeconds` before `nowMs`, so a resolver whose clock is a little behind accepts it. */
export function windowAround(nowMs: number, backdateSeconds = 3600, lifetimeSeconds = 14 * 86400): SignatureWindow {
  const now = Math.floor(nowMs / 1000);
  return { inception: now - backdateSeconds, expiration: now + lifetimeSeconds };
}

/**
 * RFC 4034 §3 and §3.1.8.1: the RRSIG record over one RRset. Labels come from the owner name (a wildcard owner's
 * "*" is not counted, §3.1.3); the Original TTL and the RRSIG's own TTL are the RRset's TTL.
 */
export function signRrset(rrset: readonly RR[], key: SigningKey, window: SignatureWindow): RR {
  const first = rrset[0];
  if (!first) throw new Error('cannot sign an empty RRset');
  const unsigned: RrsigData = {
    typeCovered: first.type,
    algorithm: key.dnskey.algorithm,
    labels: rrsigLabelCount(first.name),
    originalTTL: first.ttl,
    expiration: window.expiration >>> 0,
    inception: window.inception >>> 0,
    keyTag: key.keyTag,
    signersName: key.owner,
    signature: Buffer.alloc(0),
  };
  const signed = rrsigSignedData(rrset, unsigned);
  if (!signed.ok) throw new Error(`cannot sign ${first.name} ${first.type}: ${signed.reason}`);
  const signature = SIGNERS[key.dnskey.algorithm].sign(signed.data, key.privateKey);
  return { name: first.name, type: 'RRSIG', class: first.class, ttl: first.ttl, data: { ...unsigned, signature } };
}
