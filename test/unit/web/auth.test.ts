// Passwords as scrypt hashes, sessions that expire and stay bounded, the login limiter's window.
import { describe, expect, it } from 'vitest';
import { hashPassword, LoginLimiter, passwordHashError, Sessions, verifyPassword } from '../../../src/web/auth.js';

describe('password hashes', () => {
  it('verifies the password it hashed, and nothing else; a salt makes every hash differ', async () => {
    const a = await hashPassword('s3cret pass');
    const b = await hashPassword('s3cret pass');
    expect(a).not.toBe(b);
    expect(passwordHashError(a)).toBeNull();
    expect(await verifyPassword('s3cret pass', a)).toBe(true);
    expect(await verifyPassword('s3cret pasS', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('refuses what is not a hash we can check (a plain password, a cost beyond bounds)', async () => {
    expect(passwordHashError('hunter2')).toMatch(/not a scrypt hash: run `rootline hash-password`/);
    const h = await hashPassword('x'.repeat(10));
    expect(passwordHashError(h.replace('ln=14', 'ln=30'))).not.toBeNull();
    expect(await verifyPassword('x'.repeat(10), h.replace('ln=14', 'ln=30'))).toBe(false);
  });
});

describe('Sessions', () => {
  it('forgets a session idle too long or too old', () => {
    let now = 0;
    const s = new Sessions({ idleMs: 1000, maxAgeMs: 5000, max: 10 }, () => now);
    const a = s.create(true);
    now = 900;
    expect(s.get(a.id)).toBe(a);
    now = 1800; // 900 ms since last seen: still fine
    expect(s.get(a.id)).toBe(a);
    now = 2900;
    expect(s.get(a.id)).toBeNull();
    const b = s.create(true);
    for (now = 3000; now < 8000; now += 500) s.get(b.id);
    expect(s.get(b.id)).toBeNull(); // older than maxAgeMs, however busy
  });

  it('holds at most `max` sessions, dropping the least recently used', () => {
    const s = new Sessions({ idleMs: 1e9, maxAgeMs: 1e9, max: 3 });
    const [a, b, c] = [s.create(false), s.create(false), s.create(false)];
    s.get(a.id);
    s.create(false);
    expect(s.size).toBe(3);
    expect(s.get(b.id)).toBeNull();
    expect(s.get(a.id)).toBe(a);
    expect(s.get(c.id)).toBe(c);
  });
});

describe('LoginLimiter', () => {
  it('locks an address after N failures for the rest of the window; others are unaffected; success clears', () => {
    let now = 0;
    const l = new LoginLimiter({ failures: 2, windowMs: 10_000, maxAddresses: 2 }, () => now);
    l.fail('a');
    expect(l.retryAfter('a')).toBe(0);
    now = 1000;
    l.fail('a');
    expect(l.retryAfter('a')).toBe(9);
    expect(l.retryAfter('b')).toBe(0);
    now = 10_001;
    expect(l.retryAfter('a')).toBe(0);
    l.fail('b');
    l.succeed('b');
    l.fail('b');
    expect(l.retryAfter('b')).toBe(0);
    // Bounded: a flood of addresses evicts the oldest.
    l.fail('c');
    l.fail('d');
    l.fail('d');
    expect(l.retryAfter('d')).toBeGreaterThan(0);
  });
});
