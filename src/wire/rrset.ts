// Records grouped into RRsets (RFC 2181 §5: same owner, compared case-insensitively, and same type).
import { canonical } from './names.js';
import type { RR } from './types.js';

/** The RRsets among `records`, in the order their first record appears. */
export function groupRRsets(records: readonly RR[]): RR[][] {
  const groups = new Map<string, RR[]>();
  for (const r of records) {
    const key = `${canonical(r.name)}|${r.type}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()];
}
