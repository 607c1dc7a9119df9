// RRSIG verification against the RFCs' published signatures: RSA/SHA-256 and RSA/SHA-512 (RFC 5702 §6), ECDSA
// P-256 and P-384 (RFC 6605 §6: ECDSA is randomised, so the published signature is verified, not reproduced),
// Ed25519 (RFC 8080 §6 with erratum 4935) and Ed448, RSA/SHA-1 with a wildcard expansion and an NSEC record
// (RFC 4035 Appendix A/B.6); then what must fail.
import type { RrsigData } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { verifySignature } from '../../../src/dnssec/algorithms.js';
import { canonicalRrWire, canonicalRdata, rrsigRdataWithoutSignature } from '../../../src/dnssec/canonical.js';
import { keyTag } from '../../../src/dnssec/keytag.js';
import { rrsigTimeStatus, verifyRrsig } from '../../../src/dnssec/verify.js';
import { rr, RFC4035, RFC5702, RFC6605, RFC8080 } from './rfc-vectors.js';

const ed25519Rrsig = (i: 0 | 1): RrsigData => ({
  typeCovered: 'MX', algorithm: 15, labels: 2, originalTTL: 3600,
  expiration: RFC8080.expiration, inception: RFC8080.inception, keyTag: RFC8080.ed25519[i]!.keyTag,
  signersName: 'example.com', signature: RFC8080.ed25519[i]!.erratumSignature,
});

describe('verifyRrsig with published vectors', () => {
  it.each([
    ['RFC 5702 §6.1 RSASHA256', RFC5702.rrset, RFC5702.sha256.rrsig, 'example.net', RFC5702.sha256.key],
    ['RFC 5702 §6.2 RSASHA512', RFC5702.rrset, RFC5702.sha512.rrsig, 'example.net', RFC5702.sha512.key],
    ['RFC 6605 §6.1 ECDSAP256SHA256', RFC6605.rrset, RFC6605.p256.rrsig, 'example.net', RFC6605.p256.key],
    ['RFC 6605 §6.2 ECDSAP384SHA384', RFC6605.rrset, RFC6605.p384.rrsig, 'example.net', RFC6605.p384.key],
    ['RFC 8080 §6.1 ED25519 #1 (erratum 4935)', RFC8080.rrset, ed25519Rrsig(0), 'example.com', RFC8080.ed25519[0]!.key],
    ['RFC 8080 §6.1 ED25519 #2 (erratum 4935)', RFC8080.rrset, ed25519Rrsig(1), 'example.com', RFC8080.ed25519[1]!.key],
  ])('%s verifies', (_label, rrset, rrsig, owner, key) => {
    expect(verifyRrsig(rrset, rrsig, { name: owner, data: key })).toEqual({ status: 'valid' });
  });

  it('accepts the vectors regardless of the letter case the records arrive in (RFC 4034 §6.2)', () => {
    const shouting = [rr('WWW.Example.NET', 'A', 3600, '192.0.2.1')];
    const rrsig = { ...RFC6605.p256.rrsig, signersName: 'EXAMPLE.net' };
    expect(verifyRrsig(shouting, rrsig, { name: 'Example.Net.', data: RFC6605.p256.key }).status).toBe('valid');
    const mx = [rr('example.com', 'MX', 3600, { preference: 10, exchange: 'MAIL.example.COM' })];
    expect(verifyRrsig(mx, ed25519Rrsig(0), { name: 'example.com', data: RFC8080.ed25519[0]!.key }).status).toBe('valid');
  });

  it('verifies the RFC 8080 signatures as first printed, which were made over Labels 3', () => {
    // verifyRrsig refuses Labels 3 for a 2-label owner (RFC 4035 §5.3.1), so the signed data is built by hand.
    const mx = RFC8080.rrset[0]!;
    const signedData = (algorithm: number, keyTag: number) =>
      Buffer.concat([
        rrsigRdataWithoutSignature({
          typeCovered: 'MX', algorithm, labels: 3, originalTTL: 3600, expiration: RFC8080.expiration,
          inception: RFC8080.inception, keyTag, signersName: 'example.com', signature: Buffer.alloc(0),
        }),
        canonicalRrWire('example.com', 'MX', 'IN', 3600, canonicalRdata(mx)),
      ]);
    for (const v of RFC8080.ed25519) {
      expect(verifySignature(15, v.key.key, signedData(15, v.keyTag), v.labels3Signature).status).toBe('valid');
    }
    for (const v of RFC8080.ed448) {
      expect(verifySignature(16, v.key.key, signedData(16, v.keyTag), v.labels3Signature).status).toBe('valid');
    }
    const labels3 = { ...ed25519Rrsig(0), labels: 3, signature: RFC8080.ed25519[0]!.labels3Signature };
    expect(verifyRrsig(RFC8080.rrset, labels3, { name: 'example.com', data: RFC8080.ed25519[0]!.key }).status).toBe('invalid');
  });
});

describe('RFC 4035 Appendix A: RSASHA1, wildcard expansion, NSEC case', () => {
  const key = { name: 'example', data: RFC4035.zsk };
  const rrsig = (typeCovered: string, labels: number, signature: Buffer): RrsigData => ({
    typeCovered, algorithm: 5, labels, originalTTL: 3600, expiration: RFC4035.expiration,
    inception: RFC4035.inception, keyTag: RFC4035.zskTag, signersName: 'example', signature,
  });

  it('names the zone signing key by its tag', () => {
    expect(keyTag(RFC4035.zsk)).toBe(RFC4035.zskTag);
  });

  it('verifies the B.6 answer synthesised from *.w.example (Labels 2, owner a.z.w.example)', () => {
    const sig = rrsig('MX', 2, RFC4035.wildcardMxSignature);
    expect(verifyRrsig([RFC4035.wildcardMx], sig, key)).toEqual({ status: 'valid' });
    // The same records claimed as unexpanded (Labels 4) are not what was signed.
    expect(verifyRrsig([RFC4035.wildcardMx], { ...sig, labels: 4 }, key).status).toBe('invalid');
  });

  it('verifies the apex NSEC, and keeps the case of its Next Domain Name (RFC 6840 §5.1)', () => {
    const sig = rrsig('NSEC', 1, RFC4035.apexNsecSignature);
    expect(verifyRrsig([RFC4035.apexNsec], sig, key)).toEqual({ status: 'valid' });
    const recased = { ...RFC4035.apexNsec, name: 'EXAMPLE', data: { ...(RFC4035.apexNsec.data as object), nextDomain: 'A.Example' } };
    const ownerOnly = { ...RFC4035.apexNsec, name: 'EXAMPLE' };
    expect(verifyRrsig([ownerOnly], sig, key)).toEqual({ status: 'valid' });
    expect(verifyRrsig([recased], sig, key).status).toBe('invalid');
  });
});

describe('verifyRrsig failures', () => {
  const key = { name: 'example.net', data: RFC6605.p256.key };
  const rrsig = RFC6605.p256.rrsig;

  it('fails a changed record, an extra record, a changed TTL field or a flipped signature bit', () => {
    expect(verifyRrsig([rr('www.example.net', 'A', 3600, '192.0.2.2')], rrsig, key).status).toBe('invalid');
    const extra = [...RFC6605.rrset, rr('www.example.net', 'A', 3600, '192.0.2.3')];
    expect(verifyRrsig(extra, rrsig, key).status).toBe('invalid');
    expect(verifyRrsig(RFC6605.rrset, { ...rrsig, originalTTL: 3601 }, key).status).toBe('invalid');
    const signature = Buffer.from(rrsig.signature);
    signature[10]! ^= 0x01;
    expect(verifyRrsig(RFC6605.rrset, { ...rrsig, signature }, key).status).toBe('invalid');
  });

  it('ignores the TTL the records arrive with: the RRSIG says the original (RFC 4035 §5.3.3)', () => {
    expect(verifyRrsig([rr('www.example.net', 'A', 17, '192.0.2.1')], rrsig, key).status).toBe('valid');
  });

  it('refuses a key that cannot have made the signature, saying why (RFC 4035 §5.3.1)', () => {
    const noZoneFlag = { ...key.data, flags: 0x0001 };
    const cases: [ReturnType<typeof verifyRrsig>, RegExp][] = [
      [verifyRrsig(RFC6605.rrset, rrsig, { ...key, name: 'example.org' }), /not the key's owner/],
      [verifyRrsig(RFC6605.rrset, rrsig, { name: 'example.net', data: RFC6605.p384.key }), /algorithm/],
      [verifyRrsig(RFC6605.rrset, { ...rrsig, keyTag: 1 }, key), /key tag/],
      [verifyRrsig(RFC6605.rrset, { ...rrsig, keyTag: keyTag(noZoneFlag) }, { ...key, data: noZoneFlag }), /Zone Key/],
      [verifyRrsig([rr('www.example.org', 'A', 3600, '192.0.2.1')], rrsig, key), /outside the signer's zone/],
      [verifyRrsig([rr('www.example.net', 'AAAA', 3600, '2001:db8::1')], rrsig, key), /covers A, not AAAA/],
      [verifyRrsig([], rrsig, key), /empty RRset/],
    ];
    for (const [result, reason] of cases) {
      expect(result.status).toBe('invalid');
      expect(result.status === 'invalid' && result.reason).toMatch(reason);
    }
  });

  it('says unsupported for algorithms not validated (RFC 8624), whatever the key', () => {
    for (const algorithm of [1, 3, 6, 12, 200]) {
      expect(verifyRrsig(RFC6605.rrset, { ...rrsig, algorithm }, key)).toEqual({ status: 'unsupported', algorithm });
    }
  });
});

describe('rrsigTimeStatus', () => {
  const window = { inception: 1000, expiration: 2000 };
  it('is current from inception through expiration, inclusive', () => {
    expect(rrsigTimeStatus(window, 999)).toBe('not-yet-valid');
    expect(rrsigTimeStatus(window, 1000)).toBe('current');
    expect(rrsigTimeStatus(window, 2000)).toBe('current');
    expect(rrsigTimeStatus(window, 2001)).toBe('expired');
  });
  it('puts the RFC 6605 signature in its window', () => {
    expect(rrsigTimeStatus(RFC6605.p256.rrsig, Date.UTC(2010, 7, 20) / 1000)).toBe('current');
    expect(rrsigTimeStatus(RFC6605.p256.rrsig, Date.UTC(2026, 0, 1) / 1000)).toBe('expired');
  });
  it('compares in serial number arithmetic across the 2106 wrap (RFC 4034 §3.1.5)', () => {
    const across = { inception: 0xffff_ff00, expiration: 0x0000_0100 };
    expect(rrsigTimeStatus(across, 2 ** 32 + 0x10)).toBe('current');
    expect(rrsigTimeStatus(across, 2 ** 32 + 0x200)).toBe('expired');
    expect(rrsigTimeStatus(across, 0xffff_fe00)).toBe('not-yet-valid');
  });
});
