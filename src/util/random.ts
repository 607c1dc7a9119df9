// Randomness as an injectable dependency: upstream IDs and server choice must be unpredictable in
// production (RFC 5452) and repeatable in tests.
import { randomBytes } from 'node:crypto';

export interface Random {
  /** A uniformly random 16-bit integer. */
  u16(): number;
  /** A uniformly random integer in [0, n). */
  below(n: number): number;
  shuffle<T>(xs: readonly T[]): T[];
}

/** Cryptographically strong randomness, drawn from a pooled buffer to keep it cheap per query. */
export class CryptoRandom implements Random {
  private pool = Buffer.alloc(0);
  private pos = 0;

  private take(): number {
    if (this.pos + 4 > this.pool.length) {
      this.pool = randomBytes(4096);
      this.pos = 0;
    }
    const v = this.pool.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  u16(): number {
    return this.take() & 0xffff;
  }

  below(n: number): number {
    return n <= 1 ? 0 : this.take() % n;
  }

  shuffle<T>(xs: readonly T[]): T[] {
    const out = xs.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }
}

/** Deterministic (mulberry32) randomness for tests. */
export class SeededRandom implements Random {
  constructor(private state: number) {}

  private next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  u16(): number {
    return this.next() & 0xffff;
  }

  below(n: number): number {
    return n <= 1 ? 0 : this.next() % n;
  }

  shuffle<T>(xs: readonly T[]): T[] {
    const out = xs.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }
}
