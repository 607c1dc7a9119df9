// QNAME minimisation (RFC 9156): ask each zone only for one label more than it is known to serve, so servers
// above the target learn no more than they must. The step rule follows §2.3 (MAX_MINIMISE_COUNT,
// MINIMISE_ONE_LAB): one label at a time at first, then bigger steps, never more than 10 extra queries.
import { labelCount, suffixOf } from '../wire/names.js';

/** RFC 9156 §2.3 */
export const MAX_MINIMISE_COUNT = 10;
export const MINIMISE_ONE_LAB = 4;

export interface MinimiseState {
  on: boolean;
  /** Minimised queries sent so far for this name. */
  sent: number;
  /** Labels of the last name asked (0: none asked below the current cut yet). */
  askedLabels: number;
}

export function startMinimising(enabled: boolean): MinimiseState {
  return { on: enabled, sent: 0, askedLabels: 0 };
}

/** The name to ask the servers of `zone` next: an ancestor of `name`, or `name` itself when done or off. */
export function nextTarget(name: string, zone: string, st: MinimiseState): string {
  const total = labelCount(name);
  if (!st.on || st.sent >= MAX_MINIMISE_COUNT) return name;
  const base = Math.max(labelCount(zone), st.askedLabels);
  const remaining = total - base;
  if (remaining <= 1) return name;
  const step = st.sent < MINIMISE_ONE_LAB ? 1 : Math.max(1, Math.ceil(remaining / (MAX_MINIMISE_COUNT - st.sent)));
  const labels = Math.min(total, base + step);
  return labels >= total ? name : suffixOf(name, labels);
}
