// The order an RRset is served in: round-robin (or the configured order) over the cached copy, so every
// client sees the rotation move on whichever path (cache or fresh reply) the records came by.
import type { RotateMode } from '../config/schema.js';
import { isRotatedType, orderRecords } from '../cache/order.js';
import { Rank } from '../cache/rank.js';
import type { RRsetCache } from '../cache/rrset-cache.js';
import type { Random } from '../util/random.js';
import type { RR } from '../wire/types.js';

export class RRsetPresenter {
  constructor(
    private readonly rrsets: RRsetCache,
    private readonly order: RotateMode,
    private readonly random: Random,
  ) {}

  present(records: RR[]): RR[] {
    const first = records[0];
    if (!first || !isRotatedType(first.type)) return records;
    const hit = this.rrsets.get(first.name, first.type, Rank.ADDITIONAL);
    const turn = hit ? hit.entry.turns++ : 0;
    const base = hit && hit.records.length === records.length ? hit.records : records;
    return orderRecords(base, this.order, turn, this.random);
  }
}
