// Per-client rate limit: a token bucket per client address (IPv6 clients grouped by /56, as one home gets a
// /56), refilled at `rate` queries per second up to `burst`. A gate, so it runs before the answer-cache hit path
// and a flood of cached names is limited too. Over the limit a query is dropped, or answered TC=1 over UDP so a
// real client retries over TCP while a spoofed source gets nothing bigger than its query.
import { inAnyCidr, v6ToBytes, type Cidr } from '../util/cidr.js';
import { CONTINUE, DROP, TRUNCATE, type Gate, type GateDecision } from './stage.js';

export interface RateLimitOptions {
  /** Queries per second per client; the bucket refills at this rate. */
  rate: number;
  /** Queries a client may send at once after a quiet spell. */
  burst: number;
  action: 'drop' | 'truncate';
  /** Clients never limited (loopback by default: the host's own stub resolver). */
  exempt: readonly Cidr[];
  nowMs: () => number;
  /** Told of every limited query (the `ratelimited` counter). */
  onLimited?: () => void;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

/** Buckets kept at once; past it they are all forgotten (a full bucket and a forgotten one are the same). */
const MAX_BUCKETS = 100_000;
/** The /56 of an IPv6 address: its first 7 bytes. */
const V6_GROUP_BYTES = 7;

function groupOf(address: string): string {
  if (!address.includes(':')) return address;
  const bytes = v6ToBytes(address);
  let key = '';
  for (let i = 0; i < V6_GROUP_BYTES; i++) key += bytes[i]!.toString(16).padStart(2, '0');
  return key;
}

export function rateLimitGate(o: RateLimitOptions): Gate {
  const buckets = new Map<string, Bucket>();
  // Address → bucket key, or null when exempt; clients are few and come back.
  const keys = new Map<string, string | null>();
  const limited: GateDecision = Object.freeze({ ...(o.action === 'truncate' ? TRUNCATE : DROP), by: 'ratelimit' });
  const keyOf = (address: string): string | null => {
    let key = keys.get(address);
    if (key === undefined) {
      key = inAnyCidr(o.exempt, address) ? null : groupOf(address);
      if (keys.size >= MAX_BUCKETS) keys.clear();
      keys.set(address, key);
    }
    return key;
  };
  return {
    name: 'ratelimit',
    decide: (client) => {
      const key = keyOf(client.address);
      if (key === null) return CONTINUE;
      const now = o.nowMs();
      let b = buckets.get(key);
      if (!b) {
        if (buckets.size >= MAX_BUCKETS) buckets.clear();
        b = { tokens: o.burst, atMs: now };
        buckets.set(key, b);
      } else {
        b.tokens = Math.min(o.burst, b.tokens + ((now - b.atMs) * o.rate) / 1000);
        b.atMs = now;
      }
      if (b.tokens >= 1) {
        b.tokens--;
        return CONTINUE;
      }
      o.onLimited?.();
      return limited;
    },
  };
}
