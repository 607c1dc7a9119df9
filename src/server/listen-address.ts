// Parsing listen addresses: "ADDR:PORT", "[V6]:PORT", or a bare address (port 53). Names only, no DNS lookups.
import { isIP } from 'node:net';
import { ErrorCode, RootlineError } from '../errors.js';

export interface ListenAddress {
  address: string;
  port: number;
  family: 4 | 6;
}

export const DEFAULT_DNS_PORT = 53;

function bad(value: string, why: string): RootlineError {
  return new RootlineError(
    ErrorCode.LISTEN_ADDR,
    `bad listen address '${value}': ${why} (use ADDR:PORT, [IPV6]:PORT or ADDR, e.g. 127.0.0.1:5353 or [::1]:5353)`,
  );
}

/** Throws RootlineError(LISTEN_ADDR) naming the bad value. A bare IPv6 address ("::1") takes port 53. */
export function parseListenAddress(value: string): ListenAddress {
  const v = value.trim();
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(v);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2];
    if (isIP(host) === 4) throw bad(value, 'brackets are only for IPv6 addresses');
    if (isIP(host) !== 6) throw bad(value, `'${host}' is not an IPv6 address`);
  } else if (isIP(v) === 6) {
    host = v;
  } else {
    const colon = v.lastIndexOf(':');
    host = colon === -1 ? v : v.slice(0, colon);
    portText = colon === -1 ? undefined : v.slice(colon + 1);
    if (host.includes(':')) throw bad(value, 'put an IPv6 address in brackets before the port');
  }
  const family = isIP(host);
  if (family === 0) throw bad(value, host === '' ? 'the address is missing' : `'${host}' is not an IPv4 or IPv6 address`);
  let port = DEFAULT_DNS_PORT;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw bad(value, `'${portText}' is not a port number (0-65535)`);
    port = Number(portText);
  }
  return { address: host, port, family: family === 6 ? 6 : 4 };
}

/** "127.0.0.1:53" or "[::1]:53". */
export function formatListenAddress(a: { address: string; port: number; family: 4 | 6 }): string {
  return a.family === 6 ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}
