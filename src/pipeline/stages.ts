// THE order in which policy sees a query, in one place. pipeline.ts runs it: gates → hot path → decode → checks →
// stages → admission and the resolver → respond. A new gate or stage is added here, and only here.
import { aclGate, type Acl } from '../policy/acl.js';
import type { Blocklist } from '../policy/blocklist.js';
import { localDataStage, type LocalData } from '../policy/local-data.js';
import { localZonesStage, type LocalZones } from '../policy/local-zones.js';
import { recursionDesiredStage } from '../policy/recursion.js';
import { CONTINUE, type ClientInfo, type Decision, type Gate, type GateDecision, type QueryContext, type ResultFilter, type Stage } from '../policy/stage.js';
import type { Resolution } from '../resolver/resolution.js';
import type { Question } from '../wire/types.js';

export interface StageDeps {
  acl: Acl;
  /** What clients the ACL turns away get (default: REFUSED). */
  outsideClients?: 'refuse' | 'drop';
  localData: LocalData;
  localZones: LocalZones;
  /** Absent or null: no per-client rate limit. */
  rateLimit?: Gate | null;
  /** Absent or null: no blocklists configured. */
  blocklist?: Blocklist | null;
  /** Absent or null: the rebinding guard is off. */
  rebindingGuard?: ResultFilter | null;
}

export interface Steps {
  /** Client-only decisions, made once per query before the answer-cache hit path. */
  readonly gates: readonly Gate[];
  /** Decisions on the decoded question, on the full path only; the first that is not 'continue' wins. */
  readonly stages: readonly Stage[];
  /** Looks at the resolver's result before it is sent, in order; each may replace it. */
  readonly filters: readonly ResultFilter[];
}

/*
 * Where the answer-cache hit path sits, and why a cached answer can never bypass a rule:
 * - Gates run BEFORE it. A client a gate turns away never gets a cached answer: it takes the full path, and gets
 *   the gate's REFUSED after the protocol checks (a malformed query still earns FORMERR first). Per-client
 *   rules that need no question belong here (ACL; later rate limits).
 * - Stages run AFTER it, on the full path only. A stage whose answer does not depend on the client (local data
 *   and local zones) may mark it cacheable: it goes into the shared answer cache, and a later hit serves
 *   exactly what the stage would say again. So a cached answer never bypasses such a stage, as long as the
 *   answer cache is flushed whenever the stage's data changes (an answer cached before the change, from the
 *   resolver or from the stage, would outlive it). A blocklist must never be skippable by a cached answer:
 *   a reload swaps in a new pipeline and flushes the answer cache (main.ts, startServer), and its own answers are not
 *   cached at all, so every blocked query is counted and an allowlist change acts at once.
 * - Filters run on the resolver's result, on the full path; a result they change is not cached.
 * - A stage whose decision depends on the client (per-client policy) must be a gate, or mark its answers
 *   uncacheable, or a hit would hand one client's answer to another.
 */
export function buildSteps(d: StageDeps): Steps {
  return {
    gates: [
      // Not an open resolver: clients outside 'allow', or inside 'deny', are refused (or dropped).
      aclGate(d.acl, d.outsideClients),
      // Per-client rate limit, after the ACL (outsiders do not spend tokens) and before the hot path (a flood of
      // cached names is limited too).
      ...(d.rateLimit ? [d.rateLimit] : []),
    ],
    // ── the answer-cache hit path runs here ──
    stages: [
      // local-data and hosts files: the operator's own names, answered with AA, the same for every client, so
      // cacheable. BEFORE local zones because the operator's data overrides them: a hosts entry for 192.168.1.10
      // answers 10.1.168.192.in-addr.arpa PTR, while the rest of 168.192.in-addr.arpa goes on to local zones and
      // gets its RFC 6303 NXDOMAIN (and nas.home.arpa answers inside the RFC 8375 home.arpa zone). Names without
      // data of their own, even below a local name, go on.
      localDataStage(d.localData),
      // RFC 6761/6303/8375 names answered here with AA; the same for every client, so cacheable. Before the RD
      // rule: local data is answered even to RD=0. A name with local data below it (1.168.192.in-addr.arpa above
      // a hosts PTR) exists, so it gets NODATA, not NXDOMAIN (RFC 8020).
      // Configured zones of Unbound's types (static, transparent, redirect, refuse, deny) decide here too, after
      // local data: a name's own local data is answered whatever its zone's type.
      localZonesStage(d.localZones, d.localData),
      // Blocked names, before the RD rule: a blocked name is answered as blocked, recursion asked or not. After
      // local data and local zones: a blocklist cannot take the operator's own names, localhost or the private
      // reverse zones away.
      ...(d.blocklist ? [d.blocklist.stage] : []),
      // RD=0 → REFUSED, like Unbound's 'allow'. Depends on the query's flag, not the client; the refusal is never
      // cached, and the hot path serves RD=1 queries only, so no hit can answer an RD=0 query.
      recursionDesiredStage,
    ],
    // Then admission (max-client-queries: past it the query is dropped) and the resolver, in pipeline.ts.
    filters: [
      // CNAME cloaking: a chain that leads to a blocked name is blocked like that name.
      ...(d.blocklist ? [d.blocklist.filter] : []),
      // Private addresses out of answers for public names. After cloaking, and only when cloaking did not block the
      // answer: the first filter that replaces a result decides, so a blocked 0.0.0.0 stays the blocklist's answer.
      ...(d.rebindingGuard ? [d.rebindingGuard] : []),
    ],
  };
}

/** The first gate verdict that is not 'continue', or CONTINUE itself (the hot path tests for that object). */
export function firstVerdict(gates: readonly Gate[], client: ClientInfo): GateDecision {
  for (let i = 0; i < gates.length; i++) {
    const verdict = gates[i]!.decide(client);
    if (verdict.kind !== 'continue') return verdict;
  }
  return CONTINUE;
}

/** The first stage decision that is not 'continue', or continue: on to the resolver. */
export function firstDecision(stages: readonly Stage[], ctx: QueryContext): Decision {
  for (const stage of stages) {
    const decision = stage.decide(ctx);
    if (decision.kind !== 'continue') return decision.by ? decision : { ...decision, by: stage.name };
  }
  return CONTINUE;
}

/** The result after the filters: the first one that replaces it decides (a replaced result is never cached). */
export function filtered(filters: readonly ResultFilter[], ctx: QueryContext, result: Resolution): { result: Resolution; replaced: boolean; by?: string } {
  for (const f of filters) {
    const next = f.filter(ctx, result);
    if (next) return { result: next, replaced: true, by: f.name };
  }
  return { result, replaced: false };
}

/** The policy steps seen from outside a query (`rootline query --trace`, `ctl trace`, CHAOS journeys). */
export interface PolicyView {
  /** The stages' decision on a question from `client`, as a client's RD=1 query over EDNS meets them. */
  decide(question: Question, client: ClientInfo): Decision;
  /** The resolver's result after the filters, and which one replaced it. */
  filter(question: Question, client: ClientInfo, result: Resolution): { result: Resolution; by?: string };
}

export function policyView(steps: Pick<Steps, 'stages' | 'filters'>): PolicyView {
  const ctx = (question: Question, client: ClientInfo): QueryContext => ({ client, question, rd: true, cd: false, edns: { present: true, version: 0, udpSize: 1232, dnssecOk: false } });
  return {
    decide: (question, client) => firstDecision(steps.stages, ctx(question, client)),
    filter: (question, client, result) => filtered(steps.filters, ctx(question, client), result),
  };
}
