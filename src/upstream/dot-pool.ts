// DNS over TLS to forwarders (RFC 7858): one connection per server and TLS settings, reused and pipelined
// (RFC 7766 §6.2.1.1; replies matched by ID and question, in any order), opened again when it fails. The server
// is checked before any query is written: its certificate against tls-ca (or the system store) and tls-name, and
// when given its SPKI pin (RFC 7858 §4.2); pin alone skips the chain check, as that section allows.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import * as tls from 'node:tls';
import { frameMessage, StreamFramer } from '../wire/framing.js';
import { serverKey, type ServerAddr } from '../wire/types.js';
import { matchReply } from './match.js';
import type { QueryOptions, TlsTarget, TransportResult } from './transport.js';

/** Close a connection with nothing in flight after this long (servers close theirs after 10-30 s). */
const IDLE_MS = 8_000;

interface Pending {
  wire: Buffer;
  o: QueryOptions;
  started: number;
  timer: NodeJS.Timeout;
  resolve(r: TransportResult): void;
  /** Sent again once already, after a connection closed under it. */
  retried: boolean;
}

/** Base64 SHA-256 of the certificate's SubjectPublicKeyInfo. */
function pinOf(socket: tls.TLSSocket): string | null {
  const cert = socket.getPeerX509Certificate();
  if (!cert) return null;
  return createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
}

class DotConnection {
  private readonly socket: tls.TLSSocket;
  private readonly pending = new Set<Pending>();
  private readonly framer = new StreamFramer();
  /** Frames waiting for the server to be checked. */
  private queued: Buffer[] | null = [];
  private readonly idle: NodeJS.Timeout;
  closed = false;
  /** The handshake and the checks of the server passed. */
  get established(): boolean {
    return this.queued === null && !this.closed;
  }
  /** Why it closed, for the queries it leaves behind. */
  lastError = '';

  /**
   * `onClose` gets the queries left unanswered, and whether the server had been checked and written to (only then
   * is another try on a new connection worth it: the server may just have closed an idle connection).
   */
  constructor(
    to: ServerAddr,
    target: TlsTarget,
    ca: string | undefined,
    private readonly onClose: (orphans: Pending[], wasOpen: boolean) => void,
  ) {
    const byName = target.name !== '';
    this.socket = tls.connect({
      host: to.address,
      port: to.port,
      ...(byName && isIP(target.name) === 0 ? { servername: target.name } : {}),
      ...(ca ? { ca } : {}),
      ALPNProtocols: ['dot'],
      minVersion: 'TLSv1.2',
      rejectUnauthorized: byName,
      checkServerIdentity: (_host, cert) => tls.checkServerIdentity(target.name, cert),
    });
    this.idle = setTimeout(() => this.socket.destroy(), IDLE_MS).unref();
    this.socket.setNoDelay(true);
    this.socket.once('secureConnect', () => {
      if (target.pin !== '' && pinOf(this.socket) !== target.pin) {
        this.socket.destroy(new Error('the server key does not match tls-pin'));
        return;
      }
      for (const frame of this.queued ?? []) this.socket.write(frame);
      this.queued = null;
    });
    this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    this.socket.on('error', (e) => this.fail((e as NodeJS.ErrnoException).code ?? e.message));
    this.socket.on('close', () => this.fail('connection closed'));
  }

  send(p: Pending): void {
    this.pending.add(p);
    this.idle.refresh();
    const frame = frameMessage(p.wire);
    if (this.queued) this.queued.push(frame);
    else this.socket.write(frame);
  }

  /** A query that timed out is forgotten; a reply to it later is ignored. */
  forget(p: Pending): void {
    this.pending.delete(p);
  }

  private read(chunk: Buffer): void {
    this.idle.refresh();
    this.framer.push(chunk);
    for (let msg = this.framer.next(); msg !== null; msg = this.framer.next()) {
      for (const p of this.pending) {
        const m = matchReply(p.wire, msg, p.o.exactCase ?? false);
        if (m === 'no') continue;
        this.pending.delete(p);
        clearTimeout(p.timer);
        p.resolve(m === 'match' ? { kind: 'reply', bytes: msg, rttMs: performance.now() - p.started } : { kind: 'case-mismatch' });
        break;
      }
    }
  }

  private fail(error: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idle);
    this.socket.destroy();
    this.lastError = error;
    this.onClose([...this.pending], this.queued === null);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export class DotPool {
  private readonly connections = new Map<string, DotConnection>();
  private readonly cas = new Map<string, string>();
  private closing = false;

  query(to: ServerAddr, wire: Buffer, o: QueryOptions & { tls: TlsTarget }): Promise<TransportResult> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.connections.get(this.keyOf(to, o.tls))?.forget(p);
        resolve({ kind: 'timeout' });
      }, o.timeoutMs);
      const p: Pending = { wire, o, started: performance.now(), resolve, retried: false, timer };
      this.dispatch(to, o.tls, p);
    });
  }

  /** Whether a checked TLS connection to the server is open now (a timeout without one is a TLS failure). */
  established(to: ServerAddr, t: TlsTarget): boolean {
    return this.connections.get(this.keyOf(to, t))?.established ?? false;
  }

  close(): void {
    this.closing = true;
    const open = [...this.connections.values()];
    this.connections.clear();
    for (const c of open) c.destroy();
  }

  private keyOf(to: ServerAddr, t: TlsTarget): string {
    return `${serverKey(to)} ${t.name} ${t.pin} ${t.ca}`;
  }

  private dispatch(to: ServerAddr, t: TlsTarget, p: Pending): void {
    const key = this.keyOf(to, t);
    let conn = this.connections.get(key);
    if (!conn || conn.closed) {
      let ca: string | undefined;
      try {
        ca = this.caFor(t.ca);
      } catch (e) {
        clearTimeout(p.timer);
        p.resolve({ kind: 'neterror', error: `cannot read tls-ca ${t.ca}: ${(e as Error).message}` });
        return;
      }
      const opened: DotConnection = new DotConnection(to, t, ca, (orphans, wasOpen) => {
        if (this.connections.get(key) === opened) this.connections.delete(key);
        for (const o of orphans) {
          // A connection the server closed while we wrote (RFC 7766 §6.2.3 lets it close idle ones): once more.
          if (wasOpen && !o.retried && !this.closing) {
            o.retried = true;
            this.dispatch(to, t, o);
          } else {
            clearTimeout(o.timer);
            o.resolve({ kind: 'neterror', error: opened.lastError });
          }
        }
      });
      conn = opened;
      this.connections.set(key, conn);
    }
    conn.send(p);
  }

  private caFor(path: string): string | undefined {
    if (path === '') return undefined;
    let pem = this.cas.get(path);
    if (pem === undefined) {
      pem = readFileSync(path, 'utf8');
      this.cas.set(path, pem);
    }
    return pem;
  }
}
