// Order of A/AAAA records in answers: rotate (each answer starts one further on), random, or fixed.
import type { RotateMode } from '../config/schema.js';
import type { Random } from '../util/random.js';

/** Types whose order is rotated; others keep the order they were cached in. */
export function isRotatedType(type: string): boolean {
  return type === 'A' || type === 'AAAA';
}

export function orderRecords<T>(records: readonly T[], mode: RotateMode, turn: number, random: Random): T[] {
  const n = records.length;
  if (n < 2 || mode === 'fixed') return records.slice();
  if (mode === 'random') return random.shuffle(records);
  const start = turn % n;
  return records.slice(start).concat(records.slice(0, start));
}
