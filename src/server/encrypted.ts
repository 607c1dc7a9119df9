// The encrypted listeners from the config: DNS over TLS on tls-listen and DNS over HTTPS on https-listen, sharing
// one set of certificates, and plaintext DoH on http-listen for a reverse proxy that does the TLS. A reload
// re-reads the certificate files and swaps them under open connections.
import type * as tls from 'node:tls';
import type { Config } from '../config/schema.js';
import { ErrorCode, RootlineError } from '../errors.js';
import { parseCidrs } from '../util/cidr.js';
import { loadCertificates, ServerCertificates } from './certificates.js';
import { bindHttp, bindHttps, DEFAULT_DOH_PORT, DEFAULT_HTTP_PORT } from './doh.js';
import { formatListenAddress, parseListenAddress, type ListenAddress } from './listen-address.js';
import { bindError } from './listeners.js';
import { DEFAULT_TCP_MAX_IN_FLIGHT } from './tcp.js';
import { bindTls, DEFAULT_DOT_PORT, type EncryptedListener } from './tls.js';
import type { QueryHandler } from './types.js';

export interface EncryptedListeners {
  /** "ADDR:PORT" of each, actual ports when 0 was asked for. */
  tls: string[];
  https: string[];
  /** Plaintext DoH for a reverse proxy (http-listen). */
  http: string[];
  /**
   * Reads and checks the certificates of `next`; throws a one-line RootlineError (and changes nothing) when one is
   * bad, else returns the swap to run once the rest of the reload has worked.
   */
  prepareReload(next: Config): () => void;
  close(): Promise<void>;
}

function boundAt(l: EncryptedListener, at: ListenAddress): string {
  const a = l.server.address();
  return formatListenAddress({ ...at, port: a !== null && typeof a === 'object' ? a.port : at.port });
}

/** Null when none of tls-listen, https-listen and http-listen is set. Rejects on a bad certificate or a failed bind. */
export async function startEncrypted(config: Config, handler: QueryHandler, exclusive: boolean): Promise<EncryptedListeners | null> {
  if (config.tlsListen.length === 0 && config.httpsListen.length === 0 && config.httpListen.length === 0) return null;
  if (config.httpListen.length > 0 && config.trustedProxies.length === 0) {
    throw new RootlineError(ErrorCode.CONFIG_VALUE, "'http-listen' serves DNS over plaintext HTTP for a reverse proxy in front of rootline: list that proxy in 'trusted-proxies' (e.g. 127.0.0.1/32)");
  }
  const trustedProxies = parseCidrs('trusted-proxies', config.trustedProxies);
  const withTls = config.tlsListen.length > 0 || config.httpsListen.length > 0;
  const certificates = withTls ? new ServerCertificates(loadCertificates(config.tlsCertificate, config.tlsKey)) : null;
  const common = { idleTimeoutMs: config.tcpIdleTimeoutMs, maxConnections: config.tcpMaxConnections, exclusive };
  const open: EncryptedListener[] = [];
  const tls: string[] = [];
  const https: string[] = [];
  const http: string[] = [];
  try {
    for (const addr of config.tlsListen) {
      const at = parseListenAddress(addr, DEFAULT_DOT_PORT);
      const l = await bindTls(at, handler, certificates!, { ...common, maxInFlight: DEFAULT_TCP_MAX_IN_FLIGHT }).catch((e: unknown) => Promise.reject(bindError(e, at)));
      open.push(l);
      tls.push(boundAt(l, at));
    }
    for (const addr of config.httpsListen) {
      const at = parseListenAddress(addr, DEFAULT_DOH_PORT);
      const l = await bindHttps(at, handler, certificates!, { ...common, path: config.httpsPath }).catch((e: unknown) => Promise.reject(bindError(e, at)));
      open.push(l);
      https.push(boundAt(l, at));
    }
    for (const addr of config.httpListen) {
      const at = parseListenAddress(addr, DEFAULT_HTTP_PORT);
      const l = await bindHttp(at, handler, { ...common, path: config.httpsPath, trustedProxies }).catch((e: unknown) => Promise.reject(bindError(e, at)));
      open.push(l);
      http.push(boundAt(l, at));
    }
  } catch (e) {
    await Promise.all(open.map((l) => l.close(0)));
    throw e;
  }
  let closed: Promise<void> | null = null;
  return {
    tls,
    https,
    http,
    prepareReload: (next) => {
      if (certificates === null) return () => undefined;
      const set = loadCertificates(next.tlsCertificate, next.tlsKey);
      const secure = open.map((l) => l.server).filter((s): s is tls.Server => 'setSecureContext' in s);
      return () => certificates.swap(set, secure);
    },
    close: () => (closed ??= Promise.all(open.map((l) => l.close())).then(() => undefined)),
  };
}
