// One question's journey, as `rootline query --trace` and `rootline ctl trace` print it: the policy step that
// decided (if one did), every server asked (or cache step) on the way down, and a dig-like answer.
import type { PolicyView } from './pipeline/stages.js';
import type { Trace } from './resolver/trace.js';

/** What a journey needs: the policy (stages and filters) and the resolver of a running or in-process core. */
export interface JourneyParts {
  policy: PolicyView;
  resolver: { resolve(q: Question, trace?: Trace): Promise<Resolution> };
}
import type { ClientInfo } from './policy/stage.js';
import type { Resolution } from './resolver/resolution.js';
import type { TraceEvent } from './resolver/trace.js';
import { absolute } from './wire/names.js';
import { formatRecord } from './wire/present.js';
import { Rcode, RCODE_BY_NAME, type Question } from './wire/types.js';

const RCODE_NAME = Object.fromEntries(Object.entries(RCODE_BY_NAME).map(([k, v]) => [v, k]));

function describeOutcome(e: Extract<TraceEvent, { kind: 'upstream' }>): string {
  const o = e.outcome;
  switch (o.kind) {
    case 'referral':
      return `referral to ${absolute(o.zone)} (${o.servers.length} servers, ${o.glue} glue)`;
    case 'answer':
      return `answer (${o.records} records)`;
    case 'cname':
      return `CNAME → ${absolute(o.target)}`;
    case 'nxdomain':
      return 'NXDOMAIN';
    case 'nodata':
      return 'NODATA';
    case 'truncated':
      return 'truncated, retrying over TCP';
    case 'timeout':
      return 'timeout';
    case 'neterror':
      return `network error ${o.error}`;
    case 'lame':
      return `lame (${o.reason})`;
    case 'garbage':
      return `malformed reply (${o.reason})`;
    default: {
      const never: never = o;
      return String(never);
    }
  }
}

function formatTraceEvent(e: TraceEvent): string {
  const pad = '  '.repeat(e.depth);
  switch (e.kind) {
    case 'upstream': {
      const rtt = e.rttMs === null ? '' : ` ${e.rttMs.toFixed(1)} ms`;
      const via = e.tcp ? ' tcp' : '';
      return `${pad}${absolute(e.zone)} @${e.address} (${absolute(e.server)})${via}: ${absolute(e.qname)} ${e.qtype} →${rtt} ${describeOutcome(e)}`;
    }
    case 'cache':
      return `${pad}cache: ${absolute(e.qname)} ${e.qtype} → ${e.what}${e.synthesised ? ' (synthesised from cached NSEC, RFC 8198)' : ''}`;
    case 'ns-lookup':
      return `${pad}glueless delegation of ${absolute(e.zone)}: resolving ${absolute(e.nsName)}`;
    case 'configured':
      return e.action === 'use'
        ? `${pad}${e.mode} zone ${absolute(e.zone)} (config): asking its servers`
        : `${pad}${e.mode} zone ${absolute(e.zone)}: every server failed, resolving from the root (fallback: recurse)`;
    case 'last-resort':
      return `${pad}${absolute(e.zone)}: every server is recursion-lame, using the best of their answers for ${absolute(e.qname)} ${e.qtype}`;
    case 'fail':
      return `${pad}failed: ${absolute(e.qname)} ${e.qtype}: ${e.reason}`;
    case 'dnssec':
      return `${pad}dnssec ${absolute(e.zone)} ${e.check}: ${e.result} — ${e.detail}`;
    default: {
      const never: never = e;
      return String(never);
    }
  }
}

/** The journey is taken as a loopback client's query. */
const QUERY_CLIENT: ClientInfo = { address: '127.0.0.1', port: 0, transport: 'udp' };

/** The trace line for a policy step that decided: which one, and what it said. */
function formatPolicy(by: string, r: { rcode: number; ede?: { code: number; text: string } | undefined } | 'dropped'): string {
  if (r === 'dropped') return `policy ${by}: no answer (dropped)`;
  const ede = r.ede ? ` (EDE ${r.ede.code}: ${r.ede.text})` : '';
  return `policy ${by}: ${RCODE_NAME[r.rcode] ?? r.rcode}${ede}`;
}

/** The policy stages' answer, or null when the question goes on to the resolver. */
function policyAnswer(core: JourneyParts, q: Question, print: (line: string) => void): Resolution | 'dropped' | null {
  const decision = core.policy.decide(q, QUERY_CLIENT);
  const by = decision.kind === 'continue' ? '' : (decision.by ?? 'policy');
  switch (decision.kind) {
    case 'continue':
      return null;
    case 'answer':
      print(formatPolicy(by, decision.resolution));
      return decision.resolution;
    case 'refuse': {
      const refused: Resolution = { rcode: Rcode.REFUSED, answer: [], authority: [], ...(decision.ede ? { ede: decision.ede } : {}) };
      print(formatPolicy(by, refused));
      return refused;
    }
    case 'drop':
    case 'truncate':
      print(formatPolicy(by, 'dropped'));
      return 'dropped';
    default: {
      const never: never = decision;
      throw new Error(`unhandled decision ${String(never)}`);
    }
  }
}


/**
 * Policy, then (when no stage answered) the resolver and the result filters, each step printed as it happens.
 * 'dropped': a policy sends no answer at all.
 */
export async function walk(core: JourneyParts, question: Question, print: (line: string) => void): Promise<Resolution | 'dropped'> {
  const decided = policyAnswer(core, question, print);
  if (decided) return decided;
  const resolved = await core.resolver.resolve(question, { step: (e: TraceEvent) => print(formatTraceEvent(e)) });
  const after = core.policy.filter(question, QUERY_CLIENT, resolved);
  if (after.by) print(formatPolicy(after.by, after.result));
  return after.result;
}

/** The dig-like answer block. */
export function formatAnswer(name: string, qtype: string, r: Resolution, ms: number): string {
  const lines = [
    `;; ->>HEADER<<- opcode: QUERY, status: ${RCODE_NAME[r.rcode] ?? r.rcode}`,
    ...(r.ede ? [`;; EDE: ${r.ede.code}: ${r.ede.text}`] : []),
    `;; DNSSEC: ${r.security ?? 'unchecked'}${r.security === 'secure' ? ' (ad)' : ''}`,
    '',
    ';; QUESTION SECTION:',
    `;${absolute(name)}\t\tIN\t${qtype}`,
  ];
  if (r.answer.length) lines.push('', ';; ANSWER SECTION:', ...r.answer.map(formatRecord));
  if (r.authority.length) lines.push('', ';; AUTHORITY SECTION:', ...r.authority.map(formatRecord));
  lines.push('', `;; Query time: ${ms} msec`, '');
  return lines.join('\n');
}
