// Binding every listen address for UDP and TCP on the same port, with one clear line when that fails.
import { ErrorCode, RootlineError } from '../errors.js';
import { formatListenAddress, parseListenAddress, type ListenAddress } from './listen-address.js';
import { bindTcp, type TcpListener } from './tcp.js';
import type { QueryHandler } from './types.js';
import { bindUdp, type UdpListener } from './udp.js';

export interface ListenerOptions {
  tcpIdleTimeoutMs: number;
  tcpMaxConnections: number;
  /** false in cluster workers, which share the primary's sockets. */
  exclusive?: boolean;
}

export interface Listeners {
  bound: ListenAddress[];
  close(): Promise<void>;
}

/** Turns a bind failure into a RootlineError that says what to do. */
export function bindError(e: unknown, at: ListenAddress): Error {
  const where = formatListenAddress(at);
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EADDRINUSE':
      return new RootlineError(
        ErrorCode.PORT_IN_USE,
        `${where} is already in use (another DNS server such as systemd-resolved or dnsmasq?): stop it, or use --listen ${at.family === 6 ? '[::1]' : '127.0.0.1'}:5353`,
      );
    case 'EACCES':
      return new RootlineError(
        ErrorCode.PORT_PRIVILEGED,
        `binding port ${at.port} needs privileges: run as root, grant them with 'sudo setcap cap_net_bind_service=+ep $(command -v node)', or use --listen 127.0.0.1:5353`,
      );
    case 'EADDRNOTAVAIL':
      return new RootlineError(ErrorCode.ADDR_NOT_AVAILABLE, `${at.address} is not an address of this machine: pick one of its addresses for --listen`);
    default:
      return e instanceof Error ? e : new Error(String(e));
  }
}

async function bindBoth(at: ListenAddress, handler: QueryHandler, o: ListenerOptions): Promise<{ udp: UdpListener; tcp: TcpListener; at: ListenAddress }> {
  // With port 0, TCP picks the port first and UDP takes the same one; retry if UDP's is taken.
  for (let attempt = 0; ; attempt++) {
    let tcp: TcpListener;
    try {
      tcp = await bindTcp(at, handler, { idleTimeoutMs: o.tcpIdleTimeoutMs, maxConnections: o.tcpMaxConnections, exclusive: o.exclusive ?? true });
    } catch (e) {
      throw bindError(e, at);
    }
    const addr = tcp.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : at.port;
    const actual = { ...at, port };
    try {
      const udp = await bindUdp(actual, handler, o.exclusive ?? true);
      return { udp, tcp, at: actual };
    } catch (e) {
      await tcp.close();
      if (at.port === 0 && attempt < 5) continue;
      throw bindError(e, actual);
    }
  }
}

export async function startListeners(addrs: string[], handler: QueryHandler, o: ListenerOptions): Promise<Listeners> {
  const parsed = addrs.map(parseListenAddress);
  const open: { udp: UdpListener; tcp: TcpListener; at: ListenAddress }[] = [];
  try {
    for (const at of parsed) open.push(await bindBoth(at, handler, o));
  } catch (e) {
    await Promise.all(open.flatMap((l) => [l.udp.close(), l.tcp.close()]));
    throw e;
  }
  return {
    bound: open.map((l) => l.at),
    close: async () => {
      await Promise.all(open.flatMap((l) => [l.udp.close(), l.tcp.close()]));
    },
  };
}
