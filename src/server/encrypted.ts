// The encrypted listeners from the config: DNS over TLS on tls-listen and DNS over HTTPS on https-listen, sharing
// one set of certificates. A reload re-reads the certificate files and swaps them under open connections.
import type { Config } from '../config/schema.js';
import { loadCertificates, ServerCertificates } from './certificates.js';
import { bindHttps, DEFAULT_DOH_PORT } from './doh.js';
import { formatListenAddress, parseListenAddress, type ListenAddress } from './listen-address.js';
import { bindError } from './listeners.js';
import { DEFAULT_TCP_MAX_IN_FLIGHT } from './tcp.js';
import { bindTls, DEFAULT_DOT_PORT, type EncryptedListener } from './tls.js';
import type { QueryHandler } from './types.js';

export interface EncryptedListeners {
  /** "ADDR:PORT" of each, actual ports when 0 was asked for. */
  tls: string[];
  https: string[];
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

/** Null when neither tls-listen nor https-listen is set. Rejects on a bad certificate or a failed bind. */
export async function startEncrypted(config: Config, handler: QueryHandler, exclusive: boolean): Promise<EncryptedListeners | null> {
  if (config.tlsListen.length === 0 && config.httpsListen.length === 0) return null;
  const certificates = new ServerCertificates(loadCertificates(config.tlsCertificate, config.tlsKey));
  const common = { idleTimeoutMs: config.tcpIdleTimeoutMs, maxConnections: config.tcpMaxConnections, exclusive };
  const open: EncryptedListener[] = [];
  const tls: string[] = [];
  const https: string[] = [];
  try {
    for (const addr of config.tlsListen) {
      const at = parseListenAddress(addr, DEFAULT_DOT_PORT);
      const l = await bindTls(at, handler, certificates, { ...common, maxInFlight: DEFAULT_TCP_MAX_IN_FLIGHT }).catch((e: unknown) => Promise.reject(bindError(e, at)));
      open.push(l);
      tls.push(boundAt(l, at));
    }
    for (const addr of config.httpsListen) {
      const at = parseListenAddress(addr, DEFAULT_DOH_PORT);
      const l = await bindHttps(at, handler, certificates, { ...common, path: config.httpsPath }).catch((e: unknown) => Promise.reject(bindError(e, at)));
      open.push(l);
      https.push(boundAt(l, at));
    }
  } catch (e) {
    await Promise.all(open.map((l) => l.close(0)));
    throw e;
  }
  let closed: Promise<void> | null = null;
  return {
    tls,
    https,
    prepareReload: (next) => {
      const set = loadCertificates(next.tlsCertificate, next.tlsKey);
      return () => certificates.swap(set, open.map((l) => l.server));
    },
    close: () => (closed ??= Promise.all(open.map((l) => l.close())).then(() => undefined)),
  };
}
