// One DNS connection over any byte stream (TCP now, TLS later), RFC 7766: length-prefixed messages (§8),
// pipelined queries answered as each completes (§6.2.1.1), a cap on queries in flight (§6.2.2), the idle timeout
// (§6.2.3), and an orderly end when the client half-closes or the listener shuts down.
import type { Duplex } from 'node:stream';
import { frameMessage, MAX_FRAMED_MESSAGE, StreamFramer } from '../wire/framing.js';
import { MIN_QUERY_LEN, type ClientInfo, type QueryHandler } from './types.js';

export interface StreamOptions {
  /** Close the connection after this long without traffic and with no query in flight (RFC 7766 §6.2.3); 0: never. */
  idleTimeoutMs: number;
  /** Queries in flight at once (at least 1); past it reading pauses until answers go out. */
  maxInFlight: number;
}

export interface StreamConnection {
  /** Stop reading; end the connection once answers in flight are written. */
  shutdown(): void;
}

/**
 * Where the connection is; it only moves down this list.
 * - open: reading queries and answering them
 * - half-closed: the client ended its side; answer what it sent, then end
 * - closing: shutdown() was called; dispatch nothing more, answer what is in flight, then end
 * - ended: our side is ended too; waiting for the stream to close
 * - closed: the stream is gone
 */
type ConnectionState = 'open' | 'half-closed' | 'closing' | 'ended' | 'closed';

/**
 * Serves DNS queries arriving on `stream` through `handler`, for the client `client`. The stream should allow
 * half-open use (`allowHalfOpen`) so that a client that ends its side after its queries still gets the answers.
 */
export function serveStream(stream: Duplex, client: ClientInfo, handler: QueryHandler, o: StreamOptions): StreamConnection {
  const maxInFlight = Math.max(1, o.maxInFlight);
  const framer = new StreamFramer();
  let state: ConnectionState = 'open';
  let inFlight = 0;
  /** Set while takeQueries runs, so that an answer given synchronously does not re-enter it. */
  let taking = false;
  /** The idle timer fired while queries were in flight; it restarts once the last one is answered. */
  let idleWhileBusy = false;

  const onIdle = (): void => {
    if (inFlight === 0) stream.destroy();
    else idleWhileBusy = true;
  };
  // Like a socket's own timeout: 0 turns it off, and it keeps nobody alive (unref).
  const idleTimer = o.idleTimeoutMs > 0 ? setTimeout(onIdle, o.idleTimeoutMs).unref() : null;

  const answered = (bytes: Buffer | null): void => {
    inFlight--;
    if (bytes !== null && bytes.length > 0 && bytes.length <= MAX_FRAMED_MESSAGE && state !== 'closed' && !stream.destroyed) {
      stream.write(frameMessage(bytes));
      idleTimer?.refresh();
    }
    // The idle timer fired while we were busy. An answer written restarted it already, a null one did not; the
    // connection is idle from now on either way, so the clock starts again here.
    if (inFlight === 0 && idleWhileBusy && state !== 'closed') {
      idleWhileBusy = false;
      idleTimer?.refresh();
    }
    if (!taking) takeQueries();
  };

  const dispatch = (query: Buffer): void => {
    inFlight++;
    let out: ReturnType<QueryHandler>;
    try {
      out = handler(query, client);
    } catch {
      out = null;
    }
    if (out instanceof Promise) out.then(answered, () => answered(null));
    else answered(out);
  };

  /** Dispatches the queries that have arrived while under the in-flight cap, then ends or sets the read flow. */
  function takeQueries(): void {
    taking = true;
    while (inFlight < maxInFlight && (state === 'open' || state === 'half-closed')) {
      const query = framer.next();
      if (query === null) break;
      if (query.length === 0) {
        // A zero-length message is no DNS message; the stream cannot be trusted after it.
        stream.destroy();
        break;
      }
      if (query.length >= MIN_QUERY_LEN) dispatch(query);
    }
    taking = false;
    if (state === 'ended' || state === 'closed' || stream.destroyed) return;
    if (inFlight === 0 && state !== 'open') {
      state = 'ended';
      stream.end();
      return;
    }
    // writableNeedDrain: a write returned false and 'drain' has not come yet; read nothing until the client reads.
    const wantRead = state !== 'closing' && inFlight < maxInFlight && !stream.writableNeedDrain;
    if (wantRead === stream.isPaused()) {
      if (wantRead) stream.resume();
      else stream.pause();
    }
  }

  stream.on('data', (chunk: Buffer) => {
    idleTimer?.refresh();
    framer.push(chunk);
    takeQueries();
  });
  stream.on('end', () => {
    if (state === 'open') state = 'half-closed';
    takeQueries();
  });
  stream.on('drain', takeQueries);
  // Resets and the like: the connection is over, the process goes on. 'close' follows.
  stream.on('error', () => stream.destroy());
  stream.on('close', () => {
    state = 'closed';
    if (idleTimer !== null) clearTimeout(idleTimer);
  });

  return {
    shutdown: () => {
      if (state === 'open' || state === 'half-closed') state = 'closing';
      takeQueries();
    },
  };
}
