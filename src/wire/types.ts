// Types shared by every layer: questions, records (dns-packet's shapes), upstream addresses, response codes.
import * as dnsTypes from 'dns-packet/types.js';
export interface Question {
  /** As received (case preserved); compare with names.canonical(). */
  name: string;
  /** dns-packet type mnemonic: 'A', 'AAAA', 'NS', 'UNKNOWN_65280', … */
  type: string;
  class: string;
}

/**
 * A resource record in dns-packet's shape (never OPT here). `data` is whatever dns-packet gives for the type:
 * a string for A/AAAA/NS/CNAME/DNAME/PTR, an object for MX/SOA/SRV, Buffer[] for TXT, a Buffer when unknown.
 */
export interface RR {
  name: string;
  type: string;
  class: string;
  ttl: number;
  data: unknown;
}
/** Same as RR (kept for readers who think of it as a Record). */
export type { RR as Record };

export interface ServerAddr {
  address: string;
  port: number;
}

export function serverKey(s: ServerAddr): string {
  return s.address.includes(':') ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}`;
}

/** RFC 1035 §4.1.1 and RFC 6891 §9 response codes we produce or read. */
export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  /** Extended (needs OPT): 16 = BADVERS. */
  BADVERS: 16,
} as const;
export type RcodeValue = (typeof Rcode)[keyof typeof Rcode];

/** dns-packet's rcode strings → numbers. */
export const RCODE_BY_NAME: Readonly<Record<string, number>> = {
  NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5,
  YXDOMAIN: 6, YXRRSET: 7, NXRRSET: 8, NOTAUTH: 9, NOTZONE: 10,
};

/** dns-packet's mnemonic for a numeric type ('A', 'AAAA', 'UNKNOWN_65280', …). */
export function typeName(code: number): string {
  return dnsTypes.toString(code);
}
