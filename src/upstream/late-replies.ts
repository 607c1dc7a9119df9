// Late replies within one zone query (after Knot Resolver's retransmit): a UDP try that timed out keeps
// listening until the zone query ends, because the reply may be slow rather than lost. A late reply answers the
// exchange with that server that is running when it comes, or the next one; its RTT is measured from the send of
// the try it answers (RFC 6298 §3: each sample belongs to one unambiguous try, which the ID tells apart).
import type { LateListener, LateReply, LateSignal } from './transport.js';

/** A late reply, with how the try it answers was sent (needed to read it: 0x20 case, EDNS). */
export interface LateArrival extends LateReply {
  edns: boolean;
  randomCase: boolean;
}

export interface LateWait {
  arrival: Promise<LateArrival>;
  cancel(): void;
}

/**
 * Aborted when the zone query ends. Not an AbortController: one per zone query, and Node's EventTarget-based
 * AbortSignal (creating it, dispatching 'abort') was a measurable share of a cold pass's CPU.
 */
class ZoneQueryEnd implements LateSignal {
  aborted = false;
  private listeners: (() => void)[] = [];

  addEventListener(_type: 'abort', fn: () => void): void {
    if (!this.aborted) this.listeners.push(fn);
  }

  removeEventListener(_type: 'abort', fn: () => void): void {
    const i = this.listeners.indexOf(fn);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const fns = this.listeners;
    this.listeners = [];
    for (const fn of fns) fn();
  }
}

export class LateReplies {
  private readonly end = new ZoneQueryEnd();
  private readonly arrived = new Map<string, LateArrival[]>();
  private readonly waiting = new Map<string, (a: LateArrival) => void>();

  /** The listener for one UDP try to `server`, sent with this profile. */
  listener(server: string, sent: { edns: boolean; randomCase: boolean }): LateListener {
    return { signal: this.end, onLate: (r) => this.arrive(server, { ...r, ...sent }) };
  }

  /** A late reply from `server` that came while nobody waited for it, or null. */
  take(server: string): LateArrival | null {
    const queue = this.arrived.get(server);
    const a = queue?.shift() ?? null;
    if (queue?.length === 0) this.arrived.delete(server);
    return a;
  }

  /** The next late reply from `server` (one exchange with a server runs at a time in a zone query). */
  wait(server: string): LateWait {
    let resolve!: (a: LateArrival) => void;
    const arrival = new Promise<LateArrival>((r) => (resolve = r));
    this.waiting.set(server, resolve);
    return { arrival, cancel: () => (this.waiting.get(server) === resolve ? this.waiting.delete(server) : undefined) };
  }

  /** The zone query is over: earlier tries stop listening. */
  close(): void {
    this.end.abort();
    this.waiting.clear();
    this.arrived.clear();
  }

  private arrive(server: string, a: LateArrival): void {
    const waiter = this.waiting.get(server);
    if (waiter) {
      this.waiting.delete(server);
      waiter(a);
      return;
    }
    const queue = this.arrived.get(server) ?? [];
    queue.push(a);
    this.arrived.set(server, queue);
  }
}
