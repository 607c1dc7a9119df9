// One server, one question: the upstream exchange with this request's budget and the in-flight limits checked
// before every send, what each try teaches reported to server selection and the trace, the reply classified
// (and scrubbed) for the zone that was asked.
import { countTry, type UpstreamTallies } from '../observe/tallies.js';
import type { Exchanger } from '../upstream/exchange.js';
import type { LateReplies } from '../upstream/late-replies.js';
import type { Clock } from '../util/clock.js';
import type { ServerAddr } from '../wire/types.js';
import { classifyReply, type Classification, type Settled } from './classify.js';
import type { InFlight } from './in-flight.js';
import type { LimitHit, Limits } from './limits.js';

/** A try that would have less than this left of the budget after waiting for a slot is not worth sending. */
const MIN_TRY_MS = 50;
import { replyOutcome, tryOutcome } from './outcomes.js';
import type { Request } from './request.js';
import type { ServerSelector } from './servers.js';
import type { UpstreamTarget, ZoneCut } from './step.js';
import type { TraceOutcome } from './trace.js';

/**
 * `networkError`: the try failed at the network level (unreachable, refused by the OS), not by a server's reply.
 * `refused`: a server replied, but with an error or a lame reply (not silence). `lastResort`: the server is
 * recursion-lame, and this is its reply read as a recursive resolver's answer.
 */
export type AskResult =
  | { kind: 'classified'; c: Exclude<Classification, { kind: 'lame' }> }
  | { kind: 'failed'; retry: boolean; networkError?: boolean; refused?: boolean; lastResort?: Settled };

export interface AskDeps {
  servers: ServerSelector;
  exchanger: Exchanger;
  inFlight: InFlight;
  clock: Clock;
  limits: Limits;
  /** Where every try is counted (by result, with its RTT), when given. */
  tallies?: UpstreamTallies;
  /** DO=1 on every query (RFC 3225): the validator needs the RRSIGs and denial proofs. */
  dnssecOk?: boolean;
}

export class ServerAsker {
  constructor(private readonly d: AskDeps) {}

  /**
   * One server, one question through the upstream exchange; what each try teaches goes to server selection.
   * A forward zone's servers are asked with RD=1 and their replies judged as a recursive resolver's.
   */
  async ask(target: UpstreamTarget, cut: ZoneCut, name: string, qtype: string, req: Request, late?: LateReplies): Promise<AskResult> {
    const zone = cut.zone;
    const forwarded = cut.configured?.mode === 'forward';
    const where = `${target.addr.address} (${target.nsName})`;
    const trace = (tcp: boolean, rttMs: number | null, outcome: TraceOutcome): void =>
      req.step({ kind: 'upstream', server: target.nsName, address: target.addr.address, zone, qname: name, qtype, tcp, rttMs, outcome, depth: req.depth });
    const tls = cut.configured?.tls;
    const profile = { ...this.d.servers.profile(target.addr), tcpOnly: cut.configured?.tcpOnly ?? false, ...(tls ? { tls } : {}) };
    // The RTO the latest try was sent with: its timeout report quotes it (concurrent timeouts back off once).
    let sentRtoMs = 0;
    const result = await this.d.exchanger.exchange(target.addr, { name, type: qtype }, profile, {
      beforeSend: (tcp) => {
        sentRtoMs = this.d.servers.rtoMs(target.addr);
        return this.admit(req, zone, target.addr, tcp);
      },
      afterSend: () => this.d.inFlight.release(zone),
      onTry: (t) => {
        this.d.servers.report(target.addr, zone, qtype, t.kind === 'timeout' ? { ...t, rtoMs: sentRtoMs } : t);
        if (this.d.tallies) countTry(this.d.tallies, t.kind, t.tcp, 'rttMs' in t ? t.rttMs : null);
        const outcome = tryOutcome(t);
        if (outcome) trace(t.tcp, 'rttMs' in t ? t.rttMs : null, outcome);
      },
    }, { recursionDesired: forwarded, dnssecOk: this.d.dnssecOk === true }, late);
    switch (result.kind) {
      case 'timeout':
        req.failed(`${where} timeout`);
        return { kind: 'failed', retry: true };
      case 'neterror':
        req.failed(`${where} ${result.error}`);
        return { kind: 'failed', retry: false, networkError: true };
      case 'malformed':
        req.failed(`${where} malformed reply`);
        return { kind: 'failed', retry: false };
      case 'stopped':
        return { kind: 'failed', retry: false };
      case 'exhausted':
        req.failed(`${where} gave no usable reply`);
        return { kind: 'failed', retry: false };
      case 'reply':
        break;
      default: {
        const never: never = result;
        throw new Error(`unhandled exchange result ${String(never)}`);
      }
    }
    const maxRrsetSize = this.d.limits.maxRrsetSize;
    const c = classifyReply(result.packet, zone, name, qtype, { maxRrsetSize, forwarded });
    trace(result.tcp, result.rttMs, replyOutcome(c));
    if (c.kind === 'lame') {
      this.d.servers.report(target.addr, zone, qtype, { kind: 'lame' });
      req.failed(`${where} ${c.reason}`);
      if (!c.recursionLame) return { kind: 'failed', retry: false, refused: true };
      // Kept in case every server of the zone answers from a cache (Unbound's "rec_lame" fallback).
      const asRecursive = classifyReply(result.packet, zone, name, qtype, { maxRrsetSize, forwarded: true });
      const usable = asRecursive.kind !== 'lame' && asRecursive.kind !== 'referral';
      return { kind: 'failed', retry: false, refused: true, ...(usable ? { lastResort: asRecursive } : {}) };
    }
    return { kind: 'classified', c };
  }

  /** Before each send: the try's timeout, or null when the request's budget or an in-flight limit says stop. */
  private admit(req: Request, zone: string, addr: ServerAddr, tcp: boolean): number | null | Promise<number | null> {
    const { queryTimeoutMs, maxUpstreamQueries } = this.d.limits;
    const left = req.timeLeftMs(this.d.clock.nowMs());
    if (left <= 0) {
      req.stop({ limit: 'query-time', detail: `query time budget of ${queryTimeoutMs} ms used up` });
      return null;
    }
    if (req.budget.upstreamQueries >= maxUpstreamQueries) {
      req.stop({ limit: 'upstream-queries', detail: `upstream query limit of ${maxUpstreamQueries} reached` });
      return null;
    }
    // Past an in-flight limit (our own load), wait for a slot while the budget lasts rather than fail.
    const slot = this.d.inFlight.acquireOrWait(zone, left - MIN_TRY_MS, this.d.clock);
    const admitted = (busy: LimitHit | null): number | null => {
      if (busy) {
        req.stop(busy);
        return null;
      }
      const now = req.timeLeftMs(this.d.clock.nowMs());
      req.budget.upstreamQueries++;
      return Math.min(this.d.servers.timeoutMs(addr, tcp), now);
    };
    return slot instanceof Promise ? slot.then(admitted) : admitted(slot);
  }
}
