// Binding every listen address for UDP and TCP on the same port (the one place that binds), with one clear line
// and a stable code when that fails, and closing them all gracefully.
import type * as dgram from 'node:dgram';
import type * as net from 'node:net';
import { ErrorCode, RootlineError } from '../errors.js';
import type { TcpTallies } from '../observe/tallies.js';
import { formatListenAddress, parseListenAddress, type ListenAddress } from './listen-address.js';
import type { ProxyGate } from './proxy-gate.js';
import { bindTcp, serveTcp, type TcpListener } from './tcp.js';
import { DEFAULT_CLOSE_GRACE_MS, type QueryHandler } from './types.js';
import { bindUdp, serveUdp, type UdpListener } from './udp.js';

export interface ListenerOptions {
  tcpIdleTimeoutMs: number;
  tcpMaxConnections: number;
  /** Queries in flight per TCP connection before reading pauses (default 32). */
  tcpMaxInFlight?: number;
  /** false in cluster workers, which share the primary's sockets (default true). */
  exclusive?: boolean;
  /** Client TCP connections counted here (every listen address adds to the same tallies). */
  tcpTallies?: TcpTallies;
  /** With proxy-protocol-from: every listener reads PROXY v2 headers through it. */
  proxy?: ProxyGate;
}

export interface Listeners {
  /** One entry per listen address, with the actual port (when 0 was asked for). */
  bound: ListenAddress[];
  /** Stops accepting, closes idle TCP connections, waits ≤ 2 s for answers in flight. Idempotent. */
  close(): Promise<void>;
}

/** With port 0: how many times to look for a port free for both TCP and UDP. */
const PORT_ZERO_ATTEMPTS = 5;

/** Turns a bind failure into a one-line RootlineError that says what to do. */
export function bindError(e: unknown, at: ListenAddress, transport?: 'udp' | 'tcp'): RootlineError {
  const where = formatListenAddress(at);
  const alternative = `${at.family === 6 ? '[::1]' : '127.0.0.1'}:${at.port === 5353 ? 5354 : 5353}`;
  const errno = (e as NodeJS.ErrnoException | null)?.code;
  switch (errno) {
    case 'EADDRINUSE':
      return new RootlineError(
        ErrorCode.PORT_IN_USE,
        `${where} is already in use (another DNS server such as systemd-resolved or dnsmasq?). Stop it or use --listen ${alternative}`,
      );
    case 'EACCES':
      return new RootlineError(
        ErrorCode.PORT_PRIVILEGED,
        `binding port ${at.port} needs privileges: run as root, grant it with \`sudo setcap cap_net_bind_service=+ep $(command -v node)\`, or use --listen ${alternative}`,
      );
    case 'EADDRNOTAVAIL':
      return new RootlineError(
        ErrorCode.ADDR_NOT_AVAILABLE,
        `${at.address} is not an address of this machine, so ${where} cannot be bound: use one of its addresses, e.g. --listen ${alternative}`,
      );
    default: {
      const detail = e instanceof Error ? e.message : String(e);
      return new RootlineError(ErrorCode.LISTEN_FAILED, `cannot listen on ${where}${transport ? ` (${transport.toUpperCase()})` : ''}: ${detail}`);
    }
  }
}

interface Pair {
  at: ListenAddress;
  udp: UdpListener;
  tcp: TcpListener;
}

async function bindPair(at: ListenAddress, handler: QueryHandler, o: ListenerOptions): Promise<Pair> {
  const exclusive = o.exclusive ?? true;
  const tcpOptions = { idleTimeoutMs: o.tcpIdleTimeoutMs, maxConnections: o.tcpMaxConnections, maxInFlight: o.tcpMaxInFlight, exclusive, tallies: o.tcpTallies, proxy: o.proxy };
  for (let attempt = 1; ; attempt++) {
    // TCP first: with port 0 it picks the port, and UDP takes the same one.
    let tcp: TcpListener;
    try {
      tcp = await bindTcp(at, handler, tcpOptions);
    } catch (e) {
      throw bindError(e, at, 'tcp');
    }
    const addr = tcp.server.address();
    const actual: ListenAddress = { ...at, port: addr !== null && typeof addr === 'object' ? addr.port : at.port };
    try {
      return { at: actual, tcp, udp: await bindUdp(actual, handler, { exclusive, proxy: o.proxy }) };
    } catch (e) {
      await tcp.close(0);
      const retry = at.port === 0 && (e as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < PORT_ZERO_ATTEMPTS;
      if (!retry) throw bindError(e, actual, 'udp');
    }
  }
}

function closeAll(udp: UdpListener[], tcp: TcpListener[], graceMs: number): Promise<void> {
  return Promise.all([...udp.map((l) => l.close(graceMs)), ...tcp.map((l) => l.close(graceMs))]).then(() => undefined);
}

/**
 * Binds UDP and TCP on every address ("ADDR:PORT", "[V6]:PORT", "ADDR"). Rejects with a RootlineError
 * (LISTEN_ADDR, PORT_IN_USE, PORT_PRIVILEGED, ADDR_NOT_AVAILABLE, LISTEN_FAILED) after closing what it opened.
 */
export async function startListeners(addrs: string[], handler: QueryHandler, o: ListenerOptions): Promise<Listeners> {
  const parsed = addrs.map(parseListenAddress);
  const seen = new Set<string>();
  for (const at of parsed) {
    const key = formatListenAddress(at);
    if (at.port !== 0 && seen.has(key)) throw new RootlineError(ErrorCode.LISTEN_ADDR, `listen address ${key} is given twice`);
    seen.add(key);
  }
  const open: Pair[] = [];
  try {
    for (const at of parsed) open.push(await bindPair(at, handler, o));
  } catch (e) {
    await closeAll(
      open.map((p) => p.udp),
      open.map((p) => p.tcp),
      0,
    );
    throw e;
  }
  const udp = open.map((p) => p.udp);
  const tcp = open.map((p) => p.tcp);
  let closed: Promise<void> | null = null;
  return {
    bound: open.map((p) => p.at),
    close: () => (closed ??= closeAll(udp, tcp, DEFAULT_CLOSE_GRACE_MS)),
  };
}

/**
 * Serves sockets someone else already bound (a supervisor, socket activation, tests). UDP sockets must be bound
 * and TCP servers listening; TCP servers should be created with `allowHalfOpen: true`.
 */
export function serveHandles(handles: { udp?: dgram.Socket[]; tcp?: net.Server[] }, handler: QueryHandler, o: ListenerOptions): Listeners {
  const udp = (handles.udp ?? []).map((s) => serveUdp(s, handler, o.proxy));
  const tcp = (handles.tcp ?? []).map((s) =>
    serveTcp(s, handler, { idleTimeoutMs: o.tcpIdleTimeoutMs, maxConnections: o.tcpMaxConnections, maxInFlight: o.tcpMaxInFlight, tallies: o.tcpTallies, proxy: o.proxy }),
  );
  const bound = new Map<string, ListenAddress>();
  const note = (get: () => net.AddressInfo | string | null): void => {
    let a: net.AddressInfo | string | null;
    try {
      a = get(); // throws for a UDP socket that is not bound
    } catch {
      return;
    }
    if (a === null || typeof a === 'string') return;
    const at: ListenAddress = { address: a.address, port: a.port, family: a.family === 'IPv6' ? 6 : 4 };
    bound.set(formatListenAddress(at), at);
  };
  for (const l of tcp) note(() => l.server.address());
  for (const l of udp) note(() => l.socket.address());
  let closed: Promise<void> | null = null;
  return {
    bound: [...bound.values()],
    close: () => (closed ??= closeAll(udp, tcp, DEFAULT_CLOSE_GRACE_MS)),
  };
}
