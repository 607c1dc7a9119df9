// The certificates `rootline cert` makes, read back by Node's own X.509 parser: a CA, a server certificate it
// signed for the names and addresses given, keys that match, the SPKI pin, and DER details (integers, OIDs, time).
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { integer, oid, time } from '../../../src/tls/der.js';
import { makeCertificates, SERVER_DAYS } from '../../../src/tls/make-certificates.js';

describe('makeCertificates', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  const set = makeCertificates(['dns.home.arpa', '192.168.1.2', 'fd00::53'], now);
  const ca = new X509Certificate(set.ca.certificate);
  const server = new X509Certificate(set.server.certificate);

  it('makes a CA and a server certificate signed by it, for every name and address', () => {
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.subject).toBe('CN=dns.home.arpa');
    expect(server.subjectAltName).toBe('DNS:dns.home.arpa, IP Address:192.168.1.2, IP Address:FD00:0:0:0:0:0:0:53');
    expect(server.checkHost('dns.home.arpa')).toBe('dns.home.arpa');
    expect(server.checkIP('192.168.1.2')).toBe('192.168.1.2');
    expect(server.keyUsage).toContain('1.3.6.1.5.5.7.3.1');
  });

  it('gives each key that matches its certificate, and the validity asked for', () => {
    expect(server.checkPrivateKey(createPrivateKey(set.server.key))).toBe(true);
    expect(ca.checkPrivateKey(createPrivateKey(set.ca.key))).toBe(true);
    expect(new Date(server.validTo).getTime() - now.getTime()).toBe(SERVER_DAYS * 86_400_000);
  });

  it('pins the SubjectPublicKeyInfo: base64 of its SHA-256 (RFC 7469 §2.4)', () => {
    const spki = createPublicKey(set.server.key).export({ type: 'spki', format: 'der' });
    expect(set.server.spkiPin).toBe(createHash('sha256').update(spki).digest('base64'));
  });
});

describe('DER', () => {
  it('encodes integers minimally and positive', () => {
    expect(integer(Buffer.from([0, 0, 5]))).toEqual(Buffer.from([2, 1, 5]));
    expect(integer(Buffer.from([0x80]))).toEqual(Buffer.from([2, 2, 0, 0x80]));
    expect(integer(Buffer.from([0, 0x80]))).toEqual(Buffer.from([2, 2, 0, 0x80]));
  });

  it('encodes object identifiers with base-128 arcs', () => {
    expect(oid('1.2.840.10045.4.3.2').toString('hex')).toBe('06082a8648ce3d040302');
  });

  it('uses UTCTime until 2049 and GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)', () => {
    expect(time(new Date('2049-12-31T23:59:59Z')).toString('latin1')).toBe('\x17\x0d491231235959Z');
    expect(time(new Date('2050-01-01T00:00:00Z')).toString('latin1')).toBe('\x18\x0f20500101000000Z');
  });
});
