// One upstream exchange: one server, one question, until a usable reply or a typed failure. UDP first, TCP
// when the reply is truncated (RFC 7766 §5); without EDNS when the server rejects it (RFC 6891 §7); without
// 0x20 when it does not echo our letter case; a late reply to an earlier UDP try taken as the reply
// (late-replies.ts). The caller decides what a reply means (classify) and what each try teaches about the
// server (the `onTry` report), and may stop before any send (`beforeSend`).
import type { Random } from '../util/random.js';
import { decodePacket, type WirePacket } from '../wire/decode.js';
import { canonical, randomiseCase, restoreQuestionCase } from '../wire/names.js';
import { Flag } from '../wire/question.js';
import { serverKey, type ServerAddr } from '../wire/types.js';
import { buildUpstreamQuery, type UpstreamFlags } from '../wire/upstream-query.js';
import type { LateArrival, LateReplies } from './late-replies.js';
import type { TlsTarget, Transport, TransportResult } from './transport.js';

/** Sends per exchange: room for one EDNS fallback, one 0x20 fallback and one TC→TCP switch. */
const MAX_SENDS = 4;

/** What we know of the server before the first send. */
export interface ServerProfile {
  edns: boolean;
  randomCase: boolean;
  /** Start over TCP and stay there (a forward or stub zone set to tcp). */
  tcpOnly?: boolean;
  /** Over TLS (a forward zone set to tls): never in the clear, unless its tls-fallback is plain (tls-fallback.ts). */
  tls?: TlsTarget;
}

/** One send that did not end the exchange with a reply, or the reply that did: the caller's infra feedback. */
export type TryReport =
  | { kind: 'timeout'; tcp: boolean }
  | { kind: 'neterror'; tcp: boolean; error: string }
  | { kind: 'case-mismatch'; tcp: boolean }
  | { kind: 'malformed'; tcp: boolean; rttMs: number; reason: string }
  | { kind: 'edns-rejected'; tcp: boolean; rttMs: number; rcode: string }
  | { kind: 'truncated'; tcp: boolean; rttMs: number }
  | { kind: 'reply'; tcp: boolean; rttMs: number };

export interface ExchangeHooks {
  /** Before every send: the timeout for this try, or null to stop (a budget or a limit says no). */
  beforeSend(tcp: boolean): number | null | Promise<number | null>;
  /** After every send beforeSend let through, however it ended (in-flight counting). */
  afterSend(): void;
  onTry(report: TryReport): void;
}

export type ExchangeResult =
  | { kind: 'reply'; packet: WirePacket; rttMs: number; tcp: boolean }
  | { kind: 'timeout' }
  | { kind: 'neterror'; error: string }
  | { kind: 'malformed'; reason: string }
  /** beforeSend said stop. */
  | { kind: 'stopped' }
  /** Every send was used on fallbacks without a usable reply. */
  | { kind: 'exhausted' };

export interface UpstreamQuestion {
  name: string;
  type: string;
}

function hasOpt(packet: WirePacket): boolean {
  return (packet.additionals ?? []).some((r) => (r as { type: string }).type === 'OPT');
}

export class Exchanger {
  constructor(
    private readonly transport: Transport,
    private readonly random: Random,
  ) {}

  /**
   * With `late`, UDP tries keep listening after their timeout for the rest of the zone query, and a late reply
   * from this server (to this exchange's earlier try or an earlier exchange's) ends the exchange like any reply.
   */
  async exchange(to: ServerAddr, q: UpstreamQuestion, profile: ServerProfile, hooks: ExchangeHooks, flags: UpstreamFlags = {}, late?: LateReplies): Promise<ExchangeResult> {
    let { edns, randomCase } = profile;
    let tcp = profile.tcpOnly === true || profile.tls !== undefined;
    const server = serverKey(to);
    for (let send = 0; send < MAX_SENDS; send++) {
      let result: TransportResult | LateArrival | null = tcp ? null : (late?.take(server) ?? null);
      if (!result) {
        const admitted = hooks.beforeSend(tcp);
        const timeoutMs = admitted instanceof Promise ? await admitted : admitted;
        if (timeoutMs === null) return { kind: 'stopped' };
        const sentName = randomCase ? randomiseCase(q.name, () => this.random.u16()) : q.name;
        const wire = buildUpstreamQuery(this.random.u16(), sentName, q.type, edns, flags);
        const listening = late && !tcp ? late.listener(server, { edns, randomCase }) : undefined;
        const earlier = late && !tcp ? late.wait(server) : null;
        const sent = this.transport.query(to, wire, { tcp, timeoutMs, exactCase: randomCase, ...(listening ? { late: listening } : {}), ...(profile.tls ? { tls: profile.tls } : {}) });
        try {
          result = await (earlier ? Promise.race([sent, earlier.arrival]) : sent);
        } finally {
          earlier?.cancel();
          hooks.afterSend();
        }
      }
      if ('edns' in result) {
        // A late reply is read as the try it answers was sent.
        ({ edns, randomCase } = result);
        result = { kind: 'reply', bytes: result.bytes, rttMs: result.rttMs };
      }
      switch (result.kind) {
        case 'timeout':
          hooks.onTry({ kind: 'timeout', tcp });
          return { kind: 'timeout' };
        case 'neterror':
          hooks.onTry({ kind: 'neterror', tcp, error: result.error });
          return { kind: 'neterror', error: result.error };
        case 'case-mismatch':
          hooks.onTry({ kind: 'case-mismatch', tcp });
          randomCase = false;
          continue;
        case 'reply':
          break;
        default: {
          const never: never = result;
          throw new Error(`unhandled transport result ${String(never)}`);
        }
      }
      const rttMs = result.rttMs;
      // Names compressed against the question would otherwise carry our random case into answers and cache.
      if (randomCase) restoreQuestionCase(result.bytes, canonical(q.name));
      const decoded = decodePacket(result.bytes);
      if (!decoded.ok) {
        hooks.onTry({ kind: 'malformed', tcp, rttMs, reason: decoded.reason });
        return { kind: 'malformed', reason: decoded.reason };
      }
      const packet = decoded.packet;
      if (edns && (packet.rcode === 'FORMERR' || packet.rcode === 'NOTIMP') && !hasOpt(packet)) {
        // RFC 6891 §7: a server that does not know EDNS; ask again without it.
        hooks.onTry({ kind: 'edns-rejected', tcp, rttMs, rcode: packet.rcode });
        edns = false;
        continue;
      }
      if (!tcp && ((packet.flags ?? 0) & Flag.TC) !== 0) {
        // RFC 7766 §5: a truncated reply (also a rate limiter's "slip") is asked again over TCP.
        hooks.onTry({ kind: 'truncated', tcp, rttMs });
        tcp = true;
        continue;
      }
      hooks.onTry({ kind: 'reply', tcp, rttMs });
      return { kind: 'reply', packet, rttMs, tcp };
    }
    return { kind: 'exhausted' };
  }
}
