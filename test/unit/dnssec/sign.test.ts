// Signing: the RFC 8080 Ed25519 signatures reproduced from the RFC's private keys (EdDSA is deterministic), the
// RFC 6605 P-256 key derived from its private key, and sign → verify round trips with fresh keys.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { RrsigData } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { makeDs, matchDs } from '../../../src/dnssec/ds.js';
import { generateSigningKey, signingKeyFrom, signRrset, windowAround, type SigningAlgorithm } from '../../../src/dnssec/sign.js';
import { rrsigTimeStatus, verifyRrsig } from '../../../src/dnssec/verify.js';
import type { RR } from '../../../src/wire/types.js';
import { hex, rr, RFC6605, RFC8080 } from './rfc-vectors.js';

/** PKCS #8 wrappings of raw private keys (RFC 8410 §7 for Ed25519; RFC 5915 inside RFC 5208 for P-256). */
const ed25519Private = (raw: Buffer): KeyObject =>
  createPrivateKey({ key: Buffer.concat([hex('302e020100300506032b657004220420'), raw]), format: 'der', type: 'pkcs8' });
const p256Private = (raw: Buffer): KeyObject =>
  createPrivateKey({
    key: Buffer.concat([hex('3041020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420'), raw]),
    format: 'der',
    type: 'pkcs8',
  });

const rrsigOf = (record: RR): RrsigData => record.data as RrsigData;
const dnskeyOf = (key: ReturnType<typeof generateSigningKey>) => ({ name: key.owner, data: key.dnskey });

describe('signing with the RFCs\' private keys', () => {
  it.each([0, 1] as const)('reproduces RFC 8080 §6.1 Ed25519 example %i as corrected by erratum 4935', (i) => {
    const vector = RFC8080.ed25519[i]!;
    const key = signingKeyFrom('example.com', 15, 257, ed25519Private(vector.privateKey));
    expect(key.dnskey).toEqual(vector.key);
    expect(key.keyTag).toBe(vector.keyTag);
    const signed = signRrset(RFC8080.rrset, key, { inception: RFC8080.inception, expiration: RFC8080.expiration });
    expect(signed).toMatchObject({ name: 'example.com', type: 'RRSIG', class: 'IN', ttl: 3600 });
    expect(rrsigOf(signed)).toEqual({
      typeCovered: 'MX', algorithm: 15, labels: 2, originalTTL: 3600, expiration: RFC8080.expiration,
      inception: RFC8080.inception, keyTag: vector.keyTag, signersName: 'example.com', signature: vector.erratumSignature,
    });
  });

  it('derives the RFC 6605 §6.1 DNSKEY from its private key; the RRSIG it makes verifies and matches but for r|s', () => {
    const key = signingKeyFrom('example.net', 13, 257, p256Private(RFC6605.p256.privateKey));
    expect(key.dnskey).toEqual(RFC6605.p256.key);
    const published = RFC6605.p256.rrsig;
    const signed = rrsigOf(signRrset(RFC6605.rrset, key, published));
    expect({ ...signed, signature: published.signature }).toEqual(published);
    expect(verifyRrsig(RFC6605.rrset, signed, { name: 'example.net', data: RFC6605.p256.key })).toEqual({ status: 'valid' });
  });
});

describe('sign → verify with fresh keys', () => {
  const rrset = [rr('www.example.org', 'A', 300, '192.0.2.7'), rr('www.example.org', 'A', 300, '192.0.2.1'), rr('www.example.org', 'A', 300, '192.0.2.3')];
  const window = windowAround(Date.UTC(2026, 0, 1));

  it.each([13, 14, 15, 16] as SigningAlgorithm[])('algorithm %i: verifies in any record order, fails when tampered', (algorithm) => {
    const key = generateSigningKey('example.org', algorithm);
    const signed = rrsigOf(signRrset(rrset, key, window));
    expect(signed.algorithm).toBe(algorithm);
    expect(verifyRrsig([rrset[2]!, rrset[0]!, rrset[1]!], signed, dnskeyOf(key))).toEqual({ status: 'valid' });

    const changed = [...rrset.slice(1), rr('www.example.org', 'A', 300, '192.0.2.8')];
    expect(verifyRrsig(changed, signed, dnskeyOf(key)).status).toBe('invalid');
    expect(verifyRrsig(rrset.slice(1), signed, dnskeyOf(key)).status).toBe('invalid');
    const signature = Buffer.from(signed.signature);
    signature[signature.length - 1]! ^= 0x80;
    expect(verifyRrsig(rrset, { ...signed, signature }, dnskeyOf(key)).status).toBe('invalid');
    expect(verifyRrsig(rrset, { ...signed, expiration: signed.expiration + 1 }, dnskeyOf(key)).status).toBe('invalid');
  });

  it('does not verify under another key of the same algorithm, even one given the same key tag', () => {
    const key = generateSigningKey('example.org', 15);
    const other = generateSigningKey('example.org', 15);
    const signed = rrsigOf(signRrset(rrset, key, window));
    expect(verifyRrsig(rrset, { ...signed, keyTag: other.keyTag }, dnskeyOf(other))).toEqual({ status: 'invalid', reason: 'signature does not verify' });
  });

  it('signs a wildcard so that its expansions verify (RFC 4035 §5.3.2), and only under that wildcard', () => {
    const key = generateSigningKey('example.org', 13);
    const signed = rrsigOf(signRrset([rr('*.example.org', 'TXT', 60, [Buffer.from('wild')])], key, window));
    expect(signed.labels).toBe(2);
    const expansion = (owner: string) => [rr(owner, 'TXT', 60, [Buffer.from('wild')])];
    expect(verifyRrsig(expansion('a.b.Example.ORG'), signed, dnskeyOf(key)).status).toBe('valid');
    expect(verifyRrsig(expansion('a.b.example.net'), signed, dnskeyOf(key)).status).toBe('invalid');
  });

  it('signs names in canonical form, so a copy in other letter case verifies', () => {
    const key = generateSigningKey('example.org', 15);
    const mx = [rr('Example.ORG', 'MX', 60, { preference: 5, exchange: 'Mail.Example.ORG' })];
    const signed = rrsigOf(signRrset(mx, key, window));
    const lower = [rr('example.org', 'MX', 60, { preference: 5, exchange: 'mail.example.org' })];
    expect(verifyRrsig(lower, signed, dnskeyOf(key)).status).toBe('valid');
  });

  it('uses the given clock: valid from an hour before the injected now, for the lifetime asked', () => {
    const nowMs = Date.UTC(2026, 5, 1, 12);
    expect(windowAround(nowMs, 600, 86400)).toEqual({ inception: nowMs / 1000 - 600, expiration: nowMs / 1000 + 86400 });
    const signed = rrsigOf(signRrset(rrset, generateSigningKey('example.org', 13), windowAround(nowMs)));
    expect(rrsigTimeStatus(signed, nowMs / 1000 - 3600)).toBe('current');
    expect(rrsigTimeStatus(signed, nowMs / 1000 - 3601)).toBe('not-yet-valid');
    expect(rrsigTimeStatus(signed, nowMs / 1000 + 14 * 86400 + 1)).toBe('expired');
  });

  it('makes keys a parent can publish a DS for', () => {
    const key = generateSigningKey('child.example.org', 13);
    expect(key.dnskey.flags).toBe(257);
    expect(matchDs(makeDs('child.example.org', key.dnskey, 2)!, 'child.example.org', key.dnskey)).toBe('match');
  });

  it('refuses to sign nothing, or records of several RRsets', () => {
    const key = generateSigningKey('example.org', 15);
    expect(() => signRrset([], key, window)).toThrow(/empty RRset/);
    expect(() => signRrset([...rrset, rr('other.example.org', 'A', 300, '192.0.2.9')], key, window)).toThrow(/more than one RRset/);
  });
});
