// What one cache entry costs in memory, estimated, so every cache can be bounded in bytes (lru-cache's maxSize)
// rather than in entries: a million short NXDOMAIN entries and a million DNSKEY RRsets are not the same load.
// The figures are V8's usual costs on 64-bit: a one-byte string is 16 bytes plus its length, an object 16 plus
// 8 a field, a Buffer about 100 bytes of object plus its bytes; lru-cache adds its own per-entry slots.

/** lru-cache's per-entry bookkeeping (key and value slots, list links, the Map entry). */
export const LRU_ENTRY_BYTES = 80;

export function stringBytes(s: string): number {
  return 16 + s.length;
}

/** A decoded record's data: a name or address, a Buffer, an array of them, or an object of such fields. */
export function dataBytes(d: unknown): number {
  if (typeof d === 'string') return stringBytes(d);
  if (typeof d === 'number' || typeof d === 'boolean' || d === null || d === undefined) return 8;
  if (Buffer.isBuffer(d)) return 100 + d.length;
  if (Array.isArray(d)) return 16 + d.reduce((n: number, x) => n + 8 + dataBytes(x), 0);
  if (typeof d === 'object') return 16 + Object.values(d as Record<string, unknown>).reduce((n: number, x) => n + 8 + dataBytes(x), 0);
  return 8;
}

/** Bytes for a cache's share of `cache-memory`, at least enough for a handful of entries. */
export function shareOf(totalBytes: number, fraction: number): number {
  return Math.max(64 * 1024, Math.floor(totalBytes * fraction));
}
