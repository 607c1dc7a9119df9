// A small private CA and a server certificate signed by it, for a homelab name: ECDSA P-256 keys from Node's
// crypto, certificates (RFC 5280) encoded with der.ts and signed with ecdsa-with-SHA256 (RFC 5758 §3.2).
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { bitString, boolean, explicit, implicit, integer, namedBits, octetString, oid, sequence, set, time, utf8String } from './der.js';

const ECDSA_WITH_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));
const DAY_MS = 86_400_000;
/** Apple platforms refuse server certificates valid for longer (and browsers follow them closely). */
export const SERVER_DAYS = 825;
export const CA_DAYS = 3650;

export interface Issued {
  /** PEM of the certificate alone. */
  certificate: string;
  /** PKCS#8 PEM of its private key. */
  key: string;
  /** Base64 SHA-256 of the SubjectPublicKeyInfo (RFC 7469 §2.4 pin; RFC 7858 §4.2 SPKI pin for DoT). */
  spkiPin: string;
}

export interface CertificateSet {
  ca: Issued;
  server: Issued;
}

const name = (cn: string): Buffer => sequence(set(sequence(oid('2.5.4.3'), utf8String(cn))));
const extension = (id: string, critical: boolean, value: Buffer): Buffer =>
  sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));

function spki(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits (the SPKI's last 65 bytes for P-256). */
function keyId(key: KeyObject): Buffer {
  const der = spki(key);
  return createHash('sha1').update(der.subarray(der.length - 65)).digest();
}

function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

export function spkiPin(key: KeyObject): string {
  return createHash('sha256').update(spki(key)).digest('base64');
}

/** RFC 5280 §4.2.1.6: the name as dNSName, or an address as iPAddress. */
function altName(entry: string): Buffer {
  const family = isIP(entry);
  if (family === 0) return implicit(2, Buffer.from(entry, 'ascii'));
  if (family === 4) return implicit(7, Buffer.from(entry.split('.').map(Number)));
  return implicit(7, ipv6Bytes(entry));
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail] = address.split('::');
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

interface Subject {
  commonName: string;
  key: KeyObject;
  days: number;
  extensions: Buffer[];
}

function issue(subject: Subject, issuerName: string, issuerKey: KeyObject, now: Date): Buffer {
  // An hour back, so that a clock a little behind still accepts it.
  const notBefore = new Date(now.getTime() - 3_600_000);
  const notAfter = new Date(now.getTime() + subject.days * DAY_MS);
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    ECDSA_WITH_SHA256,
    name(issuerName),
    sequence(time(notBefore), time(notAfter)),
    name(subject.commonName),
    spki(subject.key),
    explicit(3, sequence(...subject.extensions)),
  );
  return sequence(tbs, ECDSA_WITH_SHA256, bitString(sign('sha256', tbs, issuerKey)));
}

/** The CA and a server certificate for `names` (DNS names and IP addresses; the first is the common name). */
export function makeCertificates(names: string[], now = new Date()): CertificateSet {
  const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const server = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caName = `rootline CA for ${names[0]}`;
  const caDer = issue(
    {
      commonName: caName,
      key: ca.publicKey,
      days: CA_DAYS,
      extensions: [
        extension('2.5.29.19', true, sequence(boolean(true), integer(Buffer.from([0])))), // CA, pathLen 0
        extension('2.5.29.15', true, namedBits([5, 6])), // keyCertSign, cRLSign
        extension('2.5.29.14', false, octetString(keyId(ca.publicKey))),
      ],
    },
    caName,
    ca.privateKey,
    now,
  );
  const serverDer = issue(
    {
      commonName: names[0]!,
      key: server.publicKey,
      days: SERVER_DAYS,
      extensions: [
        extension('2.5.29.19', true, sequence()),
        extension('2.5.29.15', true, namedBits([0])), // digitalSignature
        extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.1'))), // serverAuth
        extension('2.5.29.17', false, sequence(...names.map(altName))),
        extension('2.5.29.14', false, octetString(keyId(server.publicKey))),
        extension('2.5.29.35', false, sequence(implicit(0, keyId(ca.publicKey)))),
      ],
    },
    caName,
    ca.privateKey,
    now,
  );
  const keyPem = (k: KeyObject): string => k.export({ type: 'pkcs8', format: 'pem' }) as string;
  return {
    ca: { certificate: pem('CERTIFICATE', caDer), key: keyPem(ca.privateKey), spkiPin: spkiPin(ca.publicKey) },
    server: { certificate: pem('CERTIFICATE', serverDer), key: keyPem(server.privateKey), spkiPin: spkiPin(server.publicKey) },
  };
}
