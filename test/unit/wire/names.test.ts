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

describe('restoreQuestionCase (undoing 0x20)', () => {
  it('puts plain case back into the question, and so into every name compressed against it', async () => {
    const dnsPacket = await import('dns-packet');
    const { restoreQuestionCase } = await import('../../../src/wire/names.js');
    const head = dnsPacket.encode({ type: 'response', id: 1, flags: 0x8400, questions: [{ name: 'wWw.ExAmPle', type: 'A', class: 'IN' }] });
    // One answer whose owner is a compression pointer to the question name (offset 12), as NSD writes it.
    const rr = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1]);
    const reply = Buffer.concat([head, rr]);
    reply.writeUInt16BE(1, 6);
    expect(dnsPacket.decode(reply).answers![0]!.name).toBe('wWw.ExAmPle');
    expect(restoreQuestionCase(reply, 'www.example')).toBe(true);
    expect(dnsPacket.decode(reply).answers![0]!.name).toBe('www.example');
    expect(restoreQuestionCase(reply, 'other.example')).toBe(false);
  });
});
