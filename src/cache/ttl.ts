// TTL policy: clamping stored TTLs to the configured bounds and counting them down.

export interface TtlBounds {
  minTtl: number;
  maxTtl: number;
}

/** RFC 2181 §8: a TTL with the top bit set is treated as zero. Then clamp to [minTtl, maxTtl]. */
export function clampTtl(ttl: number, bounds: TtlBounds): number {
  const t = ttl > 0x7fffffff ? 0 : ttl;
  return Math.min(bounds.maxTtl, Math.max(bounds.minTtl, t));
}

/** Whole seconds left until expiresAtMs (never negative). */
export function remainingSeconds(expiresAtMs: number, nowMs: number): number {
  return Math.max(0, Math.floor((expiresAtMs - nowMs) / 1000));
}
