// `rootline query NAME [TYPE] [--trace]`: resolve one name in-process and print a dig-like answer; with
// --trace, every server asked on the way from the root down.
import { DEFAULTS, type Config } from '../config/schema.js';
import { createLogger } from '../log.js';
import { buildCore } from '../main.js';
import { RecordingTrace, type TraceEvent } from '../resolver/trace.js';
import { ErrorCode, RootlineError } from '../errors.js';
import { absolute } from '../wire/names.js';
import { formatRecord } from '../wire/present.js';
import { RCODE_BY_NAME } from '../wire/types.js';
import { DEFAULT_ROOT_HINTS, exitWithError } from './common.js';

export interface QueryFlags {
  trace?: boolean;
  rootHints?: string;
  upstreamPort?: number;
}

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

export function formatTraceEvent(e: TraceEvent): string {
  const pad = '  '.repeat(e.depth);
  switch (e.kind) {
    case 'upstream': {
      const rtt = e.rttMs === null ? '' : ` ${e.rttMs.toFixed(1)} ms`;
      const via = e.tcp ? ' tcp' : '';
      return `${pad}${absolute(e.zone)} @${e.address} (${absolute(e.server)})${via}: ${absolute(e.qname)} ${e.qtype} →${rtt} ${describeOutcome(e)}`;
    }
    case 'cache':
      return `${pad}cache: ${absolute(e.qname)} ${e.qtype} → ${e.what}`;
    case 'ns-lookup':
      return `${pad}glueless delegation of ${absolute(e.zone)}: resolving ${absolute(e.nsName)}`;
    case 'configured':
      return e.action === 'use'
        ? `${pad}${e.mode} zone ${absolute(e.zone)} (config): asking its servers`
        : `${pad}${e.mode} zone ${absolute(e.zone)}: every server failed, resolving from the root (fallback: recurse)`;
    case 'fail':
      return `${pad}failed: ${absolute(e.qname)} ${e.qtype}: ${e.reason}`;
    default: {
      const never: never = e;
      return String(never);
    }
  }
}

export async function runQuery(name: string, type: string | undefined, flags: QueryFlags): Promise<void> {
  try {
    const qtype = (type ?? 'A').toUpperCase();
    if (!/^[A-Z0-9]+$/.test(qtype)) throw new RootlineError(ErrorCode.BAD_ARGUMENT, `not a record type: '${type}'`);
    const config: Config = {
      ...DEFAULTS,
      rootHints: flags.rootHints ?? DEFAULT_ROOT_HINTS,
      upstreamPort: flags.upstreamPort ?? DEFAULTS.upstreamPort,
      logLevel: 'silent',
    };
    const core = await buildCore(config, { logger: createLogger('silent', 'json') });
    const trace = flags.trace ? new RecordingTrace() : undefined;
    const started = performance.now();
    const traceOut = trace ? { step: (e: TraceEvent) => { trace.step(e); process.stdout.write(formatTraceEvent(e) + '\n'); } } : undefined;
    const r = await core.resolver.resolve({ name, type: qtype, class: 'IN' }, traceOut);
    const ms = Math.round(performance.now() - started);
    const lines = [
      `;; ->>HEADER<<- opcode: QUERY, status: ${RCODE_NAME[r.rcode] ?? r.rcode}`,
      ...(r.ede ? [`;; EDE: ${r.ede.code}: ${r.ede.text}`] : []),
      '',
      ';; QUESTION SECTION:',
      `;${absolute(name)}\t\tIN\t${qtype}`,
    ];
    if (r.answer.length) lines.push('', ';; ANSWER SECTION:', ...r.answer.map(formatRecord));
    if (r.authority.length) lines.push('', ';; AUTHORITY SECTION:', ...r.authority.map(formatRecord));
    lines.push('', `;; Query time: ${ms} msec`, '');
    if (trace) lines.unshift('');
    process.stdout.write(lines.join('\n'));
    process.exit(r.rcode === 2 ? 2 : 0);
  } catch (e) {
    exitWithError(e);
  }
}
