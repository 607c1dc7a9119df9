import { describe, expect, it } from 'vitest';
import { DomainSet, DomainSetBuilder } from '../../../src/policy/domain-set.js';

function set(...names: string[]): DomainSet {
  const b = new DomainSetBuilder();
  names.forEach((n, i) => b.add(n, 0, i + 1));
  return b.build();
}

describe('DomainSet', () => {
  it('matches a name and every name below it, on label boundaries only', () => {
    const s = set('example.com');
    expect(s.has('example.com')).toBe(true);
    expect(s.has('a.b.example.com')).toBe(true);
    expect(s.has('badexample.com')).toBe(false);
    expect(s.has('com')).toBe(false);
    expect(s.has('example.co')).toBe(false);
  });

  it('names the deepest entry that matched, with its line', () => {
    const s = set('example.com', 'ads.example.com');
    expect(s.match('x.ads.example.com')).toEqual({ name: 'ads.example.com', source: 0, line: 2 });
    expect(s.match('www.example.com')).toEqual({ name: 'example.com', source: 0, line: 1 });
  });

  it('keeps the first of duplicate entries and counts distinct names', () => {
    const s = set('a.example', 'b.example', 'a.example');
    expect(s.size).toBe(2);
    expect(s.match('a.example')?.line).toBe(1);
    expect(DomainSet.empty().has('anything')).toBe(false);
  });

  it('holds many names with every one found and no false hit', () => {
    const names = Array.from({ length: 50_000 }, (_, i) => `host${i}.tracker${i % 97}.example`);
    const s = set(...names);
    expect(s.size).toBe(names.length);
    for (let i = 0; i < names.length; i += 997) expect(s.has(`sub.${names[i]!}`)).toBe(true);
    expect(s.has('host50000.tracker0.example')).toBe(false);
    expect(s.byteSize).toBeLessThan(names.length * 64);
  });

  it('takes names from bytes, lowering ASCII letters, as add takes them from strings', () => {
    const b = new DomainSetBuilder();
    const line = Buffer.from('0.0.0.0 Ads.Example.COM');
    b.addBytes(line, 8, line.length, 2, 7);
    b.add('other.example', 3, 9);
    const s = b.build();
    expect(s.match('x.ads.example.com')).toEqual({ name: 'ads.example.com', source: 2, line: 7 });
    expect(s.match('other.example')).toEqual({ name: 'other.example', source: 3, line: 9 });
    expect(s.has('ads.example')).toBe(false);
  });

  it('grows past the room it was sized for, and gives back room left largely unused', () => {
    const small = new DomainSetBuilder(4);
    for (let i = 0; i < 3000; i++) small.add(`name${i}.example`, 0, i + 1);
    const grown = small.build();
    expect(grown.size).toBe(3000);
    expect(grown.has('name2999.example')).toBe(true);
    const big = new DomainSetBuilder(8 << 20);
    big.add('only.example', 0, 1);
    const fitted = big.build();
    expect(fitted.has('only.example')).toBe(true);
    expect(fitted.byteSize).toBeLessThan(1 << 20);
  });
});
