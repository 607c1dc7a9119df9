// `rootline cert NAME [--ip ADDR] [--out DIR]`: writes a private CA and a server certificate for a homelab name,
// and says how to trust it and what its SPKI pin is. The CA's key is not kept: the CA can sign nothing else, so
// trusting ca.pem trusts this one server and no site it could be used to impersonate.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { ErrorCode, RootlineError } from '../errors.js';
import { makeCertificates, SERVER_DAYS } from '../tls/make-certificates.js';

export interface CertFlags {
  ip?: string[];
  out?: string;
}

export interface WrittenCertificates {
  ca: string;
  certificate: string;
  key: string;
  spkiPin: string;
}

/** RFC 1123 host name labels; a name of one label (a bare host) is allowed. */
const HOST_NAME = /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.?$/i;

/** Writes ca.pem, NAME.pem (server certificate, then the CA: the chain a server sends) and NAME.key (0600). */
export function writeCertificates(name: string, flags: CertFlags): WrittenCertificates {
  if (!HOST_NAME.test(name)) throw new RootlineError(ErrorCode.BAD_ARGUMENT, `'${name}' is not a host name (e.g. dns.home.arpa)`);
  const ips = flags.ip ?? [];
  for (const ip of ips) if (isIP(ip) === 0) throw new RootlineError(ErrorCode.BAD_ARGUMENT, `--ip takes an IPv4 or IPv6 address, got '${ip}'`);
  const dir = resolve(flags.out ?? '.');
  const base = name.replace(/\.$/, '');
  const paths = { ca: join(dir, 'ca.pem'), certificate: join(dir, `${base}.pem`), key: join(dir, `${base}.key`) };
  for (const p of Object.values(paths)) {
    if (existsSync(p)) throw new RootlineError(ErrorCode.BAD_ARGUMENT, `${p} exists already: remove it or choose another --out`);
  }
  const set = makeCertificates([base, ...ips]);
  mkdirSync(dir, { recursive: true });
  writeFileSync(paths.ca, set.ca.certificate, { mode: 0o644 });
  writeFileSync(paths.certificate, set.server.certificate + set.ca.certificate, { mode: 0o644 });
  writeFileSync(paths.key, set.server.key, { mode: 0o600 });
  return { ...paths, spkiPin: set.server.spkiPin };
}

export function runCert(name: string, flags: CertFlags): void {
  const w = writeCertificates(name, flags);
  const host = name.replace(/\.$/, '');
  process.stdout.write(
    [
      `wrote ${w.ca} (the CA), ${w.certificate} (certificate and chain, valid ${SERVER_DAYS} days) and ${w.key} (mode 0600)`,
      '',
      'In rootline.yaml:',
      `  tls-certificate: ${w.certificate}`,
      `  tls-key: ${w.key}`,
      '  tls-listen: ["0.0.0.0:853"]      # DNS over TLS (Android Private DNS)',
      '  https-listen: ["0.0.0.0:443"]    # DNS over HTTPS (browsers), path /dns-query',
      '',
      'Trust the CA on the clients:',
      `  Linux:   sudo cp ${w.ca} /usr/local/share/ca-certificates/rootline-${host}.crt && sudo update-ca-certificates`,
      '  Android: copy ca.pem to the phone, Settings → Security → Encryption & credentials → Install a certificate → CA certificate',
      '  Firefox: Settings → Privacy & Security → Certificates → View Certificates → Authorities → Import ca.pem, tick "identify websites"',
      '',
      `SPKI pin (base64 SHA-256 of the server's public key, RFC 7858 §4.2): ${w.spkiPin}`,
      `  e.g. kdig @${host} +tls-pin=${w.spkiPin} example.com`,
      '',
    ].join('\n'),
  );
}
