// Upstream UDP through a pool of sockets, each bound to an OS-chosen random port and retired after a number of
// queries (so ports keep changing, RFC 5452 §9.2), instead of a socket per query: creating, binding, connecting
// and closing a socket cost about a third of the CPU of a cold-cache resolution. A reply is accepted only when its
// source address and port, ID and question match a pending query on that socket (RFC 5452 §9.1). A query asked
// to listen late stays pending after its timeout until its listener's signal aborts, so a slow reply still counts.
import * as dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import type { Random } from '../util/random.js';
import type { ServerAddr } from '../wire/types.js';
import { matchReply } from './match.js';
import type { LateListener, QueryOptions, TransportResult } from './transport.js';

/** Sockets per address family. */
export const POOL_SIZE = 32;
/** Queries one socket carries before it is replaced by a socket on a new random port. */
export const USES_PER_SOCKET = 64;

interface Pending {
  wire: Buffer;
  exactCase: boolean;
  started: number;
  timer: NodeJS.Timeout | null;
  /** A reply matching in all but letter case arrived (and was ignored). */
  caseMismatch: boolean;
  done: (r: TransportResult) => void;
  /** Set once the query timed out and listens on for a late reply. */
  lingering: { listener: LateListener; stop: () => void } | null;
}

interface PooledSocket {
  socket: dgram.Socket;
  uses: number;
  retiring: boolean;
  closed: boolean;
  pending: Map<string, Pending>;
}

/**
 * An IPv6 address literal: the only kind with a colon. (node:net's isIPv6 runs a long regular expression: a
 * measurable cost on every upstream query and reply.) Server addresses here are literals from records or config.
 */
const isV6 = (address: string): boolean => address.includes(':');

/** IPv6 addresses in one spelling (all eight groups, no zone), so a reply's source matches what we sent to. */
function addressKey(address: string): string {
  if (!isV6(address)) return address;
  const plain = address.split('%')[0]!.toLowerCase();
  const [head = '', tail] = plain.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => g.padStart(4, '0')).join(':');
}

function pendingKey(address: string, port: number, id: number): string {
  return `${addressKey(address)}|${port}|${id}`;
}

export class UdpPool {
  private readonly pools: Record<'udp4' | 'udp6', PooledSocket[]> = { udp4: [], udp6: [] };

  constructor(private readonly random: Random) {}

  private open(type: 'udp4' | 'udp6'): PooledSocket {
    const socket = dgram.createSocket(type);
    const ps: PooledSocket = { socket, uses: 0, retiring: false, closed: false, pending: new Map() };
    socket.on('message', (msg, rinfo) => {
      if (msg.length < 12) return;
      const key = pendingKey(rinfo.address, rinfo.port, msg.readUInt16BE(0));
      const p = ps.pending.get(key);
      if (!p) return; // not for any query of ours: ignore (a spoofer must not end the wait)
      const m = matchReply(p.wire, msg, p.exactCase);
      if (m === 'no') return;
      // A case mismatch may be a spoofer's guess as well as a server that does not keep case: keep waiting for
      // the real reply, and report the mismatch only if none comes (so one forged packet cannot turn 0x20 off).
      if (m === 'case-mismatch') {
        p.caseMismatch = true;
        return;
      }
      this.finish(ps, key, { kind: 'reply', bytes: msg, rttMs: performance.now() - p.started });
    });
    socket.on('error', (e) => {
      // A broken socket fails its queries (they move to another server) and leaves the pool.
      for (const key of [...ps.pending.keys()]) this.finish(ps, key, { kind: 'neterror', error: (e as NodeJS.ErrnoException).code ?? e.message });
      this.close(ps);
      const pool = this.pools[type];
      const i = pool.indexOf(ps);
      if (i >= 0) pool.splice(i, 1);
    });
    // exclusive: in a cluster worker a plain bind(0) is shared through the primary, so every worker would read
    // the others' replies from one port (timeouts, and fewer source ports for RFC 5452's randomisation).
    socket.bind({ port: 0, exclusive: true });
    socket.unref();
    return ps;
  }

  private close(ps: PooledSocket): void {
    if (ps.closed) return;
    ps.closed = true;
    try {
      ps.socket.close();
    } catch {
      // already closed
    }
  }

  private finish(ps: PooledSocket, key: string, r: TransportResult): void {
    const p = ps.pending.get(key);
    if (!p) return;
    ps.pending.delete(key);
    if (p.timer) clearTimeout(p.timer);
    if (p.lingering) p.lingering.listener.signal.removeEventListener('abort', p.lingering.stop);
    if (ps.retiring && ps.pending.size === 0) this.close(ps);
    p.done(r);
  }

  /** The timer ran out: report the timeout, and with a late listener keep the entry for a slow reply. */
  private expire(ps: PooledSocket, key: string, p: Pending, late: LateListener | undefined): void {
    if (p.caseMismatch || !late || late.signal.aborted) {
      this.finish(ps, key, p.caseMismatch ? { kind: 'case-mismatch' } : { kind: 'timeout' });
      return;
    }
    const reportTimeout = p.done;
    p.timer = null;
    p.done = (r) => {
      if (r.kind === 'reply') late.onLate({ bytes: r.bytes, rttMs: r.rttMs });
    };
    p.lingering = { listener: late, stop: () => this.finish(ps, key, { kind: 'timeout' }) };
    late.signal.addEventListener('abort', p.lingering.stop, { once: true });
    reportTimeout({ kind: 'timeout' });
  }

  /** A socket for the next query: a random one of the pool, replaced when it has carried enough queries. */
  private pick(type: 'udp4' | 'udp6'): PooledSocket {
    const pool = this.pools[type];
    while (pool.length < POOL_SIZE) pool.push(this.open(type));
    const i = this.random.below(pool.length);
    let ps = pool[i]!;
    if (ps.uses >= USES_PER_SOCKET) {
      ps.retiring = true;
      if (ps.pending.size === 0) this.close(ps);
      ps = this.open(type);
      pool[i] = ps;
    }
    ps.uses++;
    return ps;
  }

  query(to: ServerAddr, wire: Buffer, o: QueryOptions): Promise<TransportResult> {
    const type = isV6(to.address) ? 'udp6' : 'udp4';
    return new Promise((resolve) => {
      let ps = this.pick(type);
      const key = pendingKey(to.address, to.port, wire.readUInt16BE(0));
      // Two queries with the same ID to the same server on one socket would be ambiguous: use another socket.
      for (let tries = 0; ps.pending.has(key) && tries < 8; tries++) ps = this.pick(type);
      if (ps.pending.has(key)) return resolve({ kind: 'neterror', error: 'no free query slot' });
      const p: Pending = { wire, exactCase: o.exactCase ?? false, started: performance.now(), timer: null, caseMismatch: false, done: resolve, lingering: null };
      // The timeout is decided after the event loop's poll phase (setImmediate): timers run before pending I/O is
      // read, so on a busy loop a reply already in the socket buffer would otherwise lose to its own timeout (a
      // spurious retransmission and a backed-off RTO for a server that answered in time).
      p.timer = setTimeout(() => {
        p.timer = null;
        setImmediate(() => {
          if (ps.pending.get(key) === p && !p.lingering) this.expire(ps, key, p, o.late);
        });
      }, o.timeoutMs);
      ps.pending.set(key, p);
      ps.socket.send(wire, to.port, to.address, (err) => {
        if (err) this.finish(ps, key, { kind: 'neterror', error: (err as NodeJS.ErrnoException).code ?? err.message });
      });
    });
  }

  /** Closes every socket (pending queries time out). */
  closeAll(): void {
    for (const type of ['udp4', 'udp6'] as const) {
      for (const ps of this.pools[type]) this.close(ps);
      this.pools[type] = [];
    }
  }
}
