// The server certificates of the DoT and DoH listeners: PEM pairs read and checked (readable, key matches,
// within its validity) with one line naming the file when not, and the secure contexts built from them, picked by
// the name the client sends (SNI, RFC 6066 §3). A reload builds a new set; the listeners swap to it in place.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import { ErrorCode, RootlineError } from '../errors.js';

export interface CertificatePaths {
  certificate: string;
  key: string;
}

export interface LoadedPair {
  paths: CertificatePaths;
  /** What tls.createSecureContext / server.setSecureContext take. */
  options: { cert: string; key: string };
  context: tls.SecureContext;
  /** DNS names (lower case, '*.' wildcards kept) and addresses the certificate is for. */
  names: string[];
  validTo: Date;
}

/** The pairs in config order: the first answers clients that send no name, or one no certificate has. */
export interface CertificateSet {
  pairs: LoadedPair[];
  /** The secure context for a name a client asked for (SNI). */
  contextFor(servername: string): tls.SecureContext;
}

/** TLS 1.2 and 1.3 only (RFC 7858 §3.2 and RFC 8484 §5.2 defer to BCP 195, RFC 9325 §3.1.1). */
export const TLS_VERSIONS = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' } as const;

const bad = (message: string): RootlineError => new RootlineError(ErrorCode.TLS_CERTIFICATE, message);

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw bad(`cannot read ${what} ${path}: ${why}`);
  }
}

/** The names in subjectAltName ("DNS:a, IP Address:1.2.3.4"), or the subject's CN when it has none. */
function namesOf(cert: X509Certificate): string[] {
  const alt = cert.subjectAltName;
  if (alt) return alt.split(', ').map((e) => e.replace(/^(DNS|IP Address):/, '').toLowerCase());
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject);
  return cn ? [cn[1]!.toLowerCase()] : [];
}

/** Reads and checks one pair; `now` for the validity check. */
export function loadPair(paths: CertificatePaths, now = new Date()): LoadedPair {
  const cert = readPem(paths.certificate, 'tls-certificate');
  const key = readPem(paths.key, 'tls-key');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert); // the first certificate in the file: the server's own
  } catch (e) {
    throw bad(`tls-certificate ${paths.certificate} holds no PEM certificate: ${(e as Error).message}`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (e) {
    throw bad(`tls-key ${paths.key} holds no PEM private key: ${(e as Error).message}`);
  }
  if (!leaf.checkPrivateKey(privateKey)) throw bad(`tls-key ${paths.key} does not belong to tls-certificate ${paths.certificate}`);
  const validTo = new Date(leaf.validTo);
  if (validTo.getTime() < now.getTime()) throw bad(`tls-certificate ${paths.certificate} expired on ${validTo.toISOString()}`);
  const validFrom = new Date(leaf.validFrom);
  if (validFrom.getTime() > now.getTime()) throw bad(`tls-certificate ${paths.certificate} is not valid before ${validFrom.toISOString()}`);
  const options = { cert, key };
  let context: tls.SecureContext;
  try {
    context = tls.createSecureContext({ ...options, ...TLS_VERSIONS });
  } catch (e) {
    throw bad(`tls-certificate ${paths.certificate}: ${(e as Error).message}`);
  }
  return { paths, options, context, names: namesOf(leaf), validTo };
}

/** RFC 6125 §6.4.3: a wildcard stands for exactly one leftmost label. */
function matches(pattern: string, host: string): boolean {
  if (pattern === host) return true;
  if (!pattern.startsWith('*.')) return false;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot + 1) === pattern.slice(2);
}

/** Pairs the tls-certificate and tls-key lists by position and loads each. */
export function loadCertificates(certificates: readonly string[], keys: readonly string[], now = new Date()): CertificateSet {
  if (certificates.length === 0) throw bad('tls-listen and https-listen need a certificate: set tls-certificate and tls-key (rootline cert NAME makes one)');
  if (certificates.length !== keys.length) {
    throw bad(`tls-certificate names ${certificates.length} file(s) and tls-key ${keys.length}: give one key per certificate, in the same order`);
  }
  const pairs = certificates.map((certificate, i) => loadPair({ certificate, key: keys[i]! }, now));
  return {
    pairs,
    contextFor: (servername) => {
      const host = servername.toLowerCase().replace(/\.$/, '');
      return (pairs.find((p) => p.names.some((n) => matches(n, host))) ?? pairs[0]!).context;
    },
  };
}

/**
 * The TLS options of a listener whose certificates can be swapped: SNI reads the set in force at each handshake,
 * and swap() also replaces the default context (server.setSecureContext), so connections already open keep the
 * keys they were made with.
 */
export class ServerCertificates {
  constructor(private current: CertificateSet) {}

  serverOptions(): tls.TlsOptions {
    return {
      ...this.current.pairs[0]!.options,
      ...TLS_VERSIONS,
      SNICallback: (servername, cb) => cb(null, this.current.contextFor(servername)),
    };
  }

  swap(next: CertificateSet, servers: readonly tls.Server[]): void {
    this.current = next;
    for (const s of servers) s.setSecureContext({ ...next.pairs[0]!.options, ...TLS_VERSIONS });
  }
}
