// Who may use the dashboard: the password as a scrypt hash (node:crypto), sessions held in memory (a cookie
// with a random id, a CSRF token per session), a bearer token for scripts, and a limit on wrong passwords per
// client address. Nothing here touches the network; server.ts and api.ts call it.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost: N = 2^14, r = 8 (16 MiB, ~50 ms a check on a small machine), p = 1. */
const LOG_N = 14;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const PREFIX = '$scrypt$';

function scryptAsync(password: string, salt: Buffer, o: { logN: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** o.logN, r: o.r, p: o.p, maxmem: 256 * 2 ** o.logN * o.r };
  return new Promise((resolve, reject) => scrypt(password, salt, KEY_BYTES, options, (e, key) => (e ? reject(e) : resolve(key))));
}

/** The stored form: $scrypt$ln=14,r=8,p=1$SALT$KEY (base64, as in the PHC string format). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(password, salt, { logN: LOG_N, r: R, p: P });
  return `${PREFIX}ln=${LOG_N},r=${R},p=${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

interface ParsedHash {
  logN: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const m = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+=*)\$([A-Za-z0-9+/]+=*)$/.exec(stored);
  if (!m) return null;
  const [logN, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Bounds that keep one check under a second and a quarter GiB.
  if (logN < 10 || logN > 20 || r < 1 || r > 16 || p < 1 || p > 4) return null;
  const key = Buffer.from(m[5]!, 'base64');
  if (key.length < 16) return null;
  return { logN, r, p, salt: Buffer.from(m[4]!, 'base64'), key };
}

/** Why a web-password value cannot be used, or null when it is a hash we can check against. */
export function passwordHashError(stored: string): string | null {
  if (parseHash(stored)) return null;
  return "'web-password' is not a scrypt hash: run `rootline hash-password` and paste the line it prints (the password itself is never stored)";
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parseHash(stored);
  if (!h) return false;
  const key = await scryptAsync(password, h.salt, h);
  return key.length === h.key.length && timingSafeEqual(key, h.key);
}

/** Compares two secrets without leaking where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface Session {
  id: string;
  csrf: string;
  /** False until the password was given (a pre-login session only carries the CSRF token for the login form). */
  authenticated: boolean;
  createdMs: number;
  seenMs: number;
}

export interface SessionLimits {
  /** A session unused this long is gone. */
  idleMs: number;
  /** And any session this old. */
  maxAgeMs: number;
  /** Most sessions held; past it the least recently used goes. */
  max: number;
}

export const SESSION_LIMITS: SessionLimits = { idleMs: 2 * 3600_000, maxAgeMs: 24 * 3600_000, max: 1000 };

const token = (): string => randomBytes(24).toString('base64url');

export class Sessions {
  private readonly byId = new Map<string, Session>();

  constructor(
    private readonly limits: SessionLimits = SESSION_LIMITS,
    private readonly nowMs: () => number = Date.now,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  create(authenticated: boolean): Session {
    const now = this.nowMs();
    const s: Session = { id: token(), csrf: token(), authenticated, createdMs: now, seenMs: now };
    this.byId.set(s.id, s);
    if (this.byId.size > this.limits.max) this.byId.delete(this.byId.keys().next().value!);
    return s;
  }

  /** The live session with this id (its use noted), or null: unknown, idle too long or too old. */
  get(id: string | undefined): Session | null {
    if (!id) return null;
    const s = this.byId.get(id);
    if (!s) return null;
    const now = this.nowMs();
    if (now - s.seenMs > this.limits.idleMs || now - s.createdMs > this.limits.maxAgeMs) {
      this.byId.delete(id);
      return null;
    }
    s.seenMs = now;
    // Re-inserted: the Map's order is then least recently used first.
    this.byId.delete(id);
    this.byId.set(id, s);
    return s;
  }

  end(id: string): void {
    this.byId.delete(id);
  }
}

export interface LoginLimits {
  /** Wrong passwords an address may give within windowMs before it must wait. */
  failures: number;
  windowMs: number;
  /** Addresses tracked at once (the oldest go first). */
  maxAddresses: number;
}

export const LOGIN_LIMITS: LoginLimits = { failures: 10, windowMs: 15 * 60_000, maxAddresses: 10_000 };

/**
 * Wrong passwords per client address: past `failures` in a window, every login from it is refused (even with
 * the right password) until the window since its first failure ends. A right password clears its count.
 */
export class LoginLimiter {
  private readonly failed = new Map<string, { count: number; sinceMs: number }>();

  constructor(
    private readonly limits: LoginLimits = LOGIN_LIMITS,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Seconds until this address may try again; 0 = it may now. */
  retryAfter(address: string): number {
    const f = this.failed.get(address);
    if (!f) return 0;
    const left = f.sinceMs + this.limits.windowMs - this.nowMs();
    if (left <= 0) {
      this.failed.delete(address);
      return 0;
    }
    return f.count >= this.limits.failures ? Math.ceil(left / 1000) : 0;
  }

  fail(address: string): void {
    const f = this.failed.get(address);
    const now = this.nowMs();
    if (f && now - f.sinceMs < this.limits.windowMs) f.count++;
    else this.failed.set(address, { count: 1, sinceMs: now });
    if (this.failed.size > this.limits.maxAddresses) this.failed.delete(this.failed.keys().next().value!);
  }

  succeed(address: string): void {
    this.failed.delete(address);
  }
}
