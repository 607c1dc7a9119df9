// Parsing listen addresses (see util/host-port.ts for the forms): a bad one is an error saying what to write.
import { ErrorCode, RootlineError } from '../errors.js';
import { DEFAULT_DNS_PORT, parseHostPort } from '../util/host-port.js';

export interface ListenAddress {
  address: string;
  port: number;
  family: 4 | 6;
}

function bad(value: string, why: string): RootlineError {
  return new RootlineError(
    ErrorCode.LISTEN_ADDR,
    `bad listen address '${value}': ${why} (use ADDR:PORT, [IPV6]:PORT or ADDR, e.g. 127.0.0.1:5353 or [::1]:5353)`,
  );
}

/** Throws RootlineError(LISTEN_ADDR) naming the bad value. A bare address ("::1") takes `defaultPort`. */
export function parseListenAddress(value: string, defaultPort = DEFAULT_DNS_PORT): ListenAddress {
  const parsed = parseHostPort(value, defaultPort);
  if (!parsed.ok) throw bad(value, parsed.why);
  return { address: parsed.address, port: parsed.port, family: parsed.family };
}

/** "127.0.0.1:53" or "[::1]:53". */
export function formatListenAddress(a: { address: string; port: number; family: 4 | 6 }): string {
  return a.family === 6 ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}
