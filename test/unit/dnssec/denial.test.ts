import { describe, expect, it } from 'vitest';
import { nsec3Denial, nsec3NoCloserMatch, nsecCovers, nsecDenial, nsecNoCloserMatch } from '../../../src/dnssec/denial.js';
import { base32hex, nsec3Hash } from '../../../src/dnssec/nsec3.js';
import type { RR } from '../../../src/wire/types.js';

const nsec = (owner: string, next: string, rrtypes: string[]): RR => ({ name: owner, type: 'NSEC', class: 'IN', ttl: 300, data: { nextDomain: next, rrtypes } });

// example. has: example (SOA NS), a.example (A), c.example (A, TXT), x.y.example (A: y.example is an empty non-terminal)
const chain = [
  nsec('example', 'a.example', ['SOA', 'NS', 'NSEC', 'RRSIG']),
  nsec('a.example', 'c.example', ['A', 'NSEC', 'RRSIG']),
  nsec('c.example', 'x.y.example', ['A', 'TXT', 'NSEC', 'RRSIG']),
  nsec('x.y.example', 'example', ['A', 'NSEC', 'RRSIG']),
];

describe('NSEC denials (RFC 4035 §5.4)', () => {
  it('covers names between owner and next, and wraps at the last NSEC', () => {
    expect(nsecCovers(chain[1]!, 'b.example')).toBe(true);
    expect(nsecCovers(chain[1]!, 'a.example')).toBe(false);
    expect(nsecCovers(chain[1]!, 'd.example')).toBe(false);
    expect(nsecCovers(chain[3]!, 'z.example')).toBe(true); // after the last name, before the apex again
  });

  it('proves NXDOMAIN only with both the name and the wildcard covered', () => {
    expect(nsecDenial(chain, 'b.example', 'A', 'nxdomain')).toEqual({ kind: 'proven' });
    // Without the NSEC covering *.example (the apex NSEC covers it: example < *.example < a.example).
    expect(nsecDenial(chain.slice(1), 'b.example', 'A', 'nxdomain').kind).toBe('unproven');
    // A name that exists is no NXDOMAIN.
    expect(nsecDenial(chain, 'a.example', 'A', 'nxdomain').kind).toBe('unproven');
    // A wildcard that exists means the name should have been synthesised.
    const withWildcard = [nsec('example', '*.example', ['SOA', 'NS']), nsec('*.example', 'a.example', ['A']), ...chain.slice(1)];
    expect(nsecDenial(withWildcard, 'b.example', 'A', 'nxdomain')).toMatchObject({ kind: 'unproven', reason: expect.stringContaining('wildcard') });
  });

  it('proves NODATA from the NSEC at the name, for an empty non-terminal, and not when the type is listed', () => {
    expect(nsecDenial(chain, 'a.example', 'MX', 'nodata')).toEqual({ kind: 'proven' });
    expect(nsecDenial(chain, 'a.example', 'A', 'nodata').kind).toBe('unproven');
    expect(nsecDenial(chain, 'y.example', 'A', 'nodata')).toEqual({ kind: 'proven' }); // next name lies below it
  });

  it('keeps parent-side NSEC at a delegation to DS questions (RFC 6840 §4.4)', () => {
    const cut = [nsec('example', 'sub.example', ['SOA', 'NS']), nsec('sub.example', 'example', ['NS', 'NSEC', 'RRSIG'])];
    expect(nsecDenial(cut, 'sub.example', 'DS', 'nodata')).toEqual({ kind: 'proven' });
    expect(nsecDenial(cut, 'sub.example', 'A', 'nodata').kind).toBe('unproven');
    // and proves nothing about names below the cut
    expect(nsecDenial(cut, 'www.sub.example', 'A', 'nxdomain').kind).toBe('unproven');
  });

  it('a wildcard answer needs an NSEC covering the query name', () => {
    expect(nsecNoCloserMatch(chain, 'b.example')).toBe(true);
    expect(nsecNoCloserMatch(chain, 'a.example')).toBe(false);
  });
});

// NSEC3 records for a zone, from the names that exist (hashed with the given parameters).
function nsec3Chain(zone: string, names: Record<string, string[]>, iterations = 0, salt = Buffer.from('aabb', 'hex'), optOut = false): RR[] {
  const hashed = Object.entries(names)
    .map(([n, types]) => ({ hash: nsec3Hash(n, salt, iterations)!, types }))
    .sort((a, b) => Buffer.compare(a.hash, b.hash));
  return hashed.map((h, i) => ({
    name: `${base32hex(h.hash)}.${zone}`,
    type: 'NSEC3',
    class: 'IN',
    ttl: 300,
    data: { algorithm: 1, flags: optOut ? 1 : 0, iterations, salt, nextDomain: hashed[(i + 1) % hashed.length]!.hash, rrtypes: h.types },
  }));
}

describe('NSEC3 denials (RFC 5155 §8)', () => {
  const names = { example: ['SOA', 'NS', 'DNSKEY', 'NSEC3PARAM'], 'a.example': ['A'], 'y.example': [], 'x.y.example': ['A'], 'sub.example': ['NS'] };
  const all = nsec3Chain('example', names);

  it('proves NXDOMAIN with the closest encloser proof and the covered wildcard', () => {
    expect(nsec3Denial(all, 'example', 'nope.example', 'A', 'nxdomain')).toEqual({ kind: 'proven' });
    expect(nsec3Denial(all, 'example', 'deep.nope.example', 'A', 'nxdomain')).toEqual({ kind: 'proven' });
    expect(nsec3Denial(all, 'example', 'a.example', 'A', 'nxdomain').kind).toBe('unproven');
  });

  it('proves NODATA from a matching NSEC3 (an empty non-terminal too), and DS absence at a delegation', () => {
    expect(nsec3Denial(all, 'example', 'a.example', 'TXT', 'nodata')).toEqual({ kind: 'proven' });
    expect(nsec3Denial(all, 'example', 'a.example', 'A', 'nodata').kind).toBe('unproven');
    expect(nsec3Denial(all, 'example', 'y.example', 'A', 'nodata')).toEqual({ kind: 'proven' });
    expect(nsec3Denial(all, 'example', 'sub.example', 'DS', 'nodata')).toEqual({ kind: 'proven' });
    expect(nsec3Denial(all, 'example', 'sub.example', 'A', 'nodata').kind).toBe('unproven'); // parent side of a cut
  });

  it('an opt-out span makes a missing DS (and an NXDOMAIN) insecure, not proven secure', () => {
    const optOut = nsec3Chain('example', { example: ['SOA', 'NS'], 'a.example': ['A'] }, 0, Buffer.alloc(0), true);
    expect(nsec3Denial(optOut, 'example', 'unsigned.example', 'DS', 'nodata')).toEqual({ kind: 'proven', optOut: true });
    expect(nsec3Denial(optOut, 'example', 'unsigned.example', 'A', 'nxdomain')).toEqual({ kind: 'proven', optOut: true });
  });

  it('treats more than 150 iterations as too costly (RFC 9276), without hashing them', () => {
    const costly = nsec3Chain('example', { example: ['SOA'], 'a.example': ['A'] }, 151);
    expect(nsec3Denial(costly, 'example', 'b.example', 'A', 'nxdomain')).toEqual({ kind: 'too-costly', iterations: 151 });
  });

  it('a wildcard answer needs the next closer name covered', () => {
    expect(nsec3NoCloserMatch(all, 'example', 'host.example', 1)).toEqual({ kind: 'proven' });
    expect(nsec3NoCloserMatch(all, 'example', 'a.example', 1).kind).toBe('unproven');
  });
});
