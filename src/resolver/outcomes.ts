// What the trace says about each upstream try and each classified reply.
import type { TryReport } from '../upstream/exchange.js';
import { canonical } from '../wire/names.js';
import type { Classification } from './classify.js';
import type { TraceOutcome } from './trace.js';

/** The trace line for one try that did not end in a reply (a reply is traced once classified). */
export function tryOutcome(t: TryReport): TraceOutcome | null {
  switch (t.kind) {
    case 'timeout':
      return { kind: 'timeout' };
    case 'neterror':
      return { kind: 'neterror', error: t.error };
    case 'case-mismatch':
      return { kind: 'garbage', reason: 'question case not preserved, retrying without 0x20' };
    case 'malformed':
      return { kind: 'garbage', reason: t.reason };
    case 'edns-rejected':
      return { kind: 'lame', reason: `${t.rcode} to EDNS, retrying without` };
    case 'truncated':
      return { kind: 'truncated' };
    case 'reply':
      return null;
    default: {
      const never: never = t;
      throw new Error(`unhandled try report ${String(never)}`);
    }
  }
}

export function replyOutcome(c: Classification): TraceOutcome {
  switch (c.kind) {
    case 'referral':
      return { kind: 'referral', zone: c.zone, servers: c.ns.map((r) => canonical(r.data as string)), glue: c.glue.length };
    case 'answer':
      return { kind: 'answer', records: c.cnames.length + c.records.length };
    case 'cname':
      return { kind: 'cname', target: c.target };
    case 'nxdomain':
      return { kind: 'nxdomain' };
    case 'nodata':
      return { kind: 'nodata' };
    case 'lame':
      return { kind: 'lame', reason: c.reason };
    default: {
      const never: never = c;
      throw new Error(`unhandled classification ${String(never)}`);
    }
  }
}
