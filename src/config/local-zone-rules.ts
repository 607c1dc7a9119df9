// Checking `local-zones:`: true or false (the RFC 6761/6303/8375 defaults on or off), or a list of
// "NAME TYPE" rules (Unbound's local-zone types) added to the defaults. A bad rule names its line and what to write.
import { isScalar, isSeq, type Node } from 'yaml';
import { canonical } from '../wire/names.js';
import { ConfigNodeError } from './node-error.js';
import type { LocalZoneRule, LocalZoneType } from './schema.js';
import { zoneNameProblem } from './zone-entries.js';

export const LOCAL_ZONE_TYPES: readonly LocalZoneType[] = ['static', 'transparent', 'redirect', 'refuse', 'deny', 'nodefault'];

/** `true`/`false`, or the rules in the order written (a name given twice is an error). */
export function parseLocalZones(key: string, value: Node | null): boolean | LocalZoneRule[] {
  if (isScalar(value) && typeof value.value === 'boolean') return value.value;
  const items = isSeq(value) ? value.items : null;
  if (!items) throw new ConfigNodeError(value, `'${key}' must be true, false or a list of "NAME TYPE" rules (${LOCAL_ZONE_TYPES.join(', ')})`);
  const seen = new Set<string>();
  return items.map((item) => {
    const text = isScalar(item) ? item.value : undefined;
    const parts = typeof text === 'string' ? text.trim().split(/\s+/) : [];
    if (parts.length !== 2) throw new ConfigNodeError(item as Node, `'${key}' entry '${String(text)}' must be "NAME TYPE", e.g. "ads.example.com refuse"`);
    const [name, type] = parts as [string, string];
    const problem = zoneNameProblem(name);
    if (problem) throw new ConfigNodeError(item as Node, `'${key}' entry '${text as string}': zone name '${name}' ${problem}`);
    if (!(LOCAL_ZONE_TYPES as readonly string[]).includes(type)) {
      throw new ConfigNodeError(item as Node, `'${key}' entry '${text as string}': type must be one of ${LOCAL_ZONE_TYPES.join(', ')}, got '${type}'`);
    }
    const zone = canonical(name);
    if (seen.has(zone)) throw new ConfigNodeError(item as Node, `'${key}' lists ${zone} twice`);
    seen.add(zone);
    return { name: zone, type: type as LocalZoneType };
  });
}
