// Who must send a PROXY v2 header (`proxy-protocol-from`) and what each datagram or connection then becomes: the
// relayed client, the proxy itself (LOCAL, dnsdist's health checks), or nothing. As PowerDNS Recursor does, a
// listed source without a valid header and a header from an unlisted source are dropped, never answered: each is
// counted and logged at most once a second, and the address in a rejected header is never used.
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Counters } from '../metrics.js';
import { inAnyCidr, type Cidr } from '../util/cidr.js';
import { parseProxyHeader, startsWithProxySignature, type ProxyHeader } from './proxy-protocol.js';
import type { ClientInfo } from './types.js';

/** Why a datagram or connection was dropped; each has its own counter. */
export type ProxyRejection = 'missing' | 'invalid' | 'oversized' | 'unlisted';

const COUNTER: Record<ProxyRejection, keyof Counters> = {
  missing: 'proxyHeaderMissing',
  invalid: 'proxyHeaderInvalid',
  oversized: 'proxyHeaderOversized',
  unlisted: 'proxyHeaderUnlisted',
};

/** At most one warning a second for rejected headers, however many arrive (a flood must not flood the log). */
const LOG_EVERY_MS = 1000;

export interface ProxyGate {
  /** A UDP datagram from `peer`: the DNS message after any header and the client it speaks for, or null: drop it. */
  datagram(msg: Buffer, peer: ClientInfo): { query: Buffer; client: ClientInfo } | null;
  /**
   * Reads what a new connection from `peer` must start with, then calls `serve` with the client (bytes after the
   * header are pushed back onto the stream), or drops the connection. Gives up after `timeoutMs` without a header.
   */
  stream(stream: Duplex, peer: ClientInfo, timeoutMs: number, serve: (client: ClientInfo) => void): void;
}

export function createProxyGate(from: readonly Cidr[], counters: Counters, logger: Logger, now: () => number = Date.now): ProxyGate {
  let lastLog = -Infinity;
  let unlogged = 0;
  const reject = (why: ProxyRejection, peer: ClientInfo, detail?: string): null => {
    counters[COUNTER[why]]++;
    const t = now();
    if (t - lastLog < LOG_EVERY_MS) {
      unlogged++;
      return null;
    }
    logger.warn({ event: 'proxy_header_rejected', reason: why, detail, peer: peer.address, transport: peer.transport, alsoRejectedSinceLast: unlogged }, 'proxy_header_rejected');
    lastLog = t;
    unlogged = 0;
    return null;
  };
  /** The client a complete header speaks for, or null (counted) when it is no header we take. */
  const clientOf = (h: ProxyHeader, peer: ClientInfo): ClientInfo | null => {
    if (h.kind === 'proxy') return { address: h.source.address, port: h.source.port, transport: peer.transport };
    if (h.kind === 'local') return peer;
    if (h.kind === 'incomplete') return reject('invalid', peer, 'truncated');
    if (h.reason === 'signature') return reject('missing', peer);
    return reject(h.reason === 'oversized' ? 'oversized' : 'invalid', peer, h.reason);
  };

  return {
    datagram(msg, peer) {
      if (!inAnyCidr(from, peer.address)) return startsWithProxySignature(msg) ? reject('unlisted', peer) : { query: msg, client: peer };
      const h = parseProxyHeader(msg);
      const client = clientOf(h, peer);
      return client && (h.kind === 'proxy' || h.kind === 'local') ? { query: msg.subarray(h.length), client } : null;
    },

    stream(stream, peer, timeoutMs, serve) {
      const listed = inAnyCidr(from, peer.address);
      let got: Buffer = Buffer.alloc(0);
      // A silent connection is closed after the idle timeout as before; only a balancer's is a missing header.
      const timer = setTimeout(() => {
        finish();
        if (listed) reject(got.length === 0 ? 'missing' : 'invalid', peer, 'timeout');
        stream.destroy();
      }, timeoutMs).unref();
      const finish = (): void => {
        clearTimeout(timer);
        stream.off('data', onData);
        stream.off('end', onEnd);
        stream.pause();
      };
      const hand = (client: ClientInfo, rest: Buffer): void => {
        finish();
        if (rest.length > 0) stream.unshift(rest);
        serve(client);
        stream.resume();
      };
      const onData = (chunk: Buffer): void => {
        got = got.length === 0 ? chunk : Buffer.concat([got, chunk]);
        if (!listed) {
          // One look at the first bytes: a DNS message over TCP starts with its length, never with the signature.
          if (got.length < PROXY_SIGNATURE_PEEK && couldBeSignature(got)) return;
          if (startsWithProxySignature(got)) {
            finish();
            reject('unlisted', peer);
            stream.destroy();
            return;
          }
          return hand(peer, got);
        }
        const h = parseProxyHeader(got);
        if (h.kind === 'incomplete') return;
        const client = clientOf(h, peer);
        if (client === null || h.kind === 'invalid') {
          finish();
          stream.destroy();
          return;
        }
        hand(client, got.subarray(h.length));
      };
      const onEnd = (): void => {
        finish();
        if (listed) reject(got.length === 0 ? 'missing' : 'invalid', peer, 'ended');
        stream.destroy();
      };
      stream.on('data', onData);
      stream.on('end', onEnd);
      stream.on('error', () => stream.destroy());
    },
  };
}

/** Bytes needed to tell the signature from a DNS length prefix. */
const PROXY_SIGNATURE_PEEK = 12;

/** Whether fewer than 12 bytes could still grow into the signature. */
function couldBeSignature(b: Buffer): boolean {
  return parseProxyHeader(b).kind === 'incomplete';
}
