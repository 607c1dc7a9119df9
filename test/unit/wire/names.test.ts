import { describe, expect, it } from 'vitest';
import { absolute, canonical, isInZone, labelCount, parentOf, suffixOf } from '../../../src/wire/names.js';

describe('names', () => {
  it('canonicalises case and trailing dots', () => {
    expect(canonical('WWW.Example.COM.')).toBe('www.example.com');
    expect(canonical('')).toBe('.');
    expect(canonical('.')).toBe('.');
  });
  it('decides zone membership on label boundaries', () => {
    expect(isInZone('www.example.com', 'example.com')).toBe(true);
    expect(isInZone('example.com', 'EXAMPLE.com.')).toBe(true);
    expect(isInZone('badexample.com', 'example.com')).toBe(false);
    expect(isInZone('com', 'example.com')).toBe(false);
    expect(isInZone('anything', '.')).toBe(true);
  });
  it('walks parents and suffixes', () => {
    expect(parentOf('a.b.c')).toBe('b.c');
    expect(parentOf('c')).toBe('.');
    expect(parentOf('.')).toBe('.');
    expect(suffixOf('a.b.example.com', 2)).toBe('example.com');
    expect(suffixOf('a.b', 0)).toBe('.');
    expect(labelCount('a.b.c.')).toBe(3);
    expect(absolute('x.y')).toBe('x.y.');
  });
});
