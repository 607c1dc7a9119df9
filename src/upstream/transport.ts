// The interface between the resolver and the network: send one query to one server, get one matching reply.
// The real implementation is network.ts; tests use a fake that scripts what each server says.
import type { ServerAddr } from '../wire/types.js';

export type TransportResult =
  | { kind: 'reply'; bytes: Buffer; rttMs: number }
  | { kind: 'timeout' }
  /** A reply with our ID and question but other letter case: a server that does not preserve case, or a spoof. */
  | { kind: 'case-mismatch' }
  | { kind: 'neterror'; error: string };

/** A matching reply that came after its query had already been reported as timed out. */
export interface LateReply {
  bytes: Buffer;
  /** From the send of the query it answers, not of any later try. */
  rttMs: number;
}

/** Keep listening after the timeout, until `signal` aborts: a slow reply is still the answer (late-replies.ts). */
export interface LateListener {
  signal: AbortSignal;
  onLate(r: LateReply): void;
}

/** DNS over TLS to this server (RFC 7858): the name its certificate must hold, its SPKI pin, a CA file ('' each: none). */
export interface TlsTarget {
  name: string;
  pin: string;
  ca: string;
  /** tls-fallback: plain — where plain DNS goes when TLS to this server fails (tls-fallback.ts); absent: never. */
  plain?: { port: number; tcp: boolean };
}

export interface QueryOptions {
  tcp: boolean;
  /** Over TLS (tcp is then true too). */
  tls?: TlsTarget;
  timeoutMs: number;
  /** Compare the echoed question letter for letter (0x20, draft-vixie-dnsext-dns0x20); else case-insensitively. */
  exactCase?: boolean;
  /** UDP only; a transport may ignore it (then a late reply is simply lost). */
  late?: LateListener;
}

export interface Transport {
  query(to: ServerAddr, wire: Buffer, options: QueryOptions): Promise<TransportResult>;
}
