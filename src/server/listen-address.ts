// Parsing listen addresses: "ADDR:PORT", "[V6]:PORT", or a bare address (port 53).
import { isIP } from 'node:net';
import { ErrorCode, RootlineError } from '../errors.js';

export interface ListenAddress {
  address: string;
  port: number;
  family: 4 | 6;
}

function bad(value: string, why: string): RootlineError {
  return new RootlineError(ErrorCode.LISTEN_ADDR, `bad listen address '${value}': ${why} (use ADDR:PORT, e.g. 127.0.0.1:5353 or [::1]:5353)`);
}

export function parseListenAddress(value: string): ListenAddress {
  const v = value.trim();
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(v);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2];
  } else if (isIP(v) === 6) {
    host = v;
  } else {
    const colon = v.lastIndexOf(':');
    host = colon === -1 ? v : v.slice(0, colon);
    portText = colon === -1 ? undefined : v.slice(colon + 1);
  }
  const family = isIP(host);
  if (family === 0) throw bad(value, `'${host}' is not an IPv4 or IPv6 address`);
  let port = 53;
  if (portText !== undefined) {
    if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw bad(value, `'${portText}' is not a port number`);
    port = Number(portText);
  }
  return { address: host, port, family: family as 4 | 6 };
}

export function formatListenAddress(a: { address: string; port: number; family: 4 | 6 }): string {
  return a.family === 6 ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}
