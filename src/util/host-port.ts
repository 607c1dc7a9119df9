// Parsing "ADDR:PORT", "[V6]:PORT", "ADDR@PORT" (Unbound's form) or a bare address: for listen addresses and
// for the servers of forward and stub zones. Addresses only, never names: nothing here looks anything up.
import { isIP } from 'node:net';

export const DEFAULT_DNS_PORT = 53;

export type HostPort = { ok: true; address: string; port: number; family: 4 | 6 } | { ok: false; why: string };

/** A bare IPv6 address ("::1") takes the default port. */
export function parseHostPort(value: string, defaultPort = DEFAULT_DNS_PORT): HostPort {
  const v = value.trim();
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(v);
  const at = /^([^@]*)@(.*)$/.exec(v);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2];
    if (isIP(host) === 4) return { ok: false, why: 'brackets are only for IPv6 addresses' };
    if (isIP(host) !== 6) return { ok: false, why: `'${host}' is not an IPv6 address` };
  } else if (isIP(v) === 6) {
    host = v;
  } else if (at) {
    host = at[1]!;
    portText = at[2];
  } else {
    const colon = v.lastIndexOf(':');
    host = colon === -1 ? v : v.slice(0, colon);
    portText = colon === -1 ? undefined : v.slice(colon + 1);
    if (host.includes(':')) return { ok: false, why: 'put an IPv6 address in brackets before the port' };
  }
  const family = isIP(host);
  if (family === 0) return { ok: false, why: host === '' ? 'the address is missing' : `'${host}' is not an IPv4 or IPv6 address` };
  let port = defaultPort;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) return { ok: false, why: `'${portText}' is not a port number (0-65535)` };
    port = Number(portText);
  }
  return { ok: true, address: host, port, family: family === 6 ? 6 : 4 };
}
