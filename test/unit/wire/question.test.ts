import * as dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { peekHeader, peekQuery } from '../../../src/wire/question.js';

describe('peekQuery', () => {
  it('reads the header and question without a full decode, keeping case', () => {
    const wire = dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: 'WwW.Example.com', type: 'AAAA', class: 'IN' }] });
    const q = peekQuery(wire)!;
    expect(q.id).toBe(4242);
    expect(q.qname).toBe('WwW.Example.com');
    expect(q.qnameLower).toBe('www.example.com');
    expect(q.qtype).toBe(28);
    expect(q.qclass).toBe(1);
    expect(q.questionEnd).toBe(wire.length);
  });
  it('returns null for truncated or hostile input', () => {
    const wire = dnsPacket.encode({ type: 'query', id: 1, questions: [{ name: 'example.com', type: 'A' }] });
    expect(peekQuery(wire.subarray(0, wire.length - 2))).toBeNull();
    expect(peekQuery(Buffer.alloc(5))).toBeNull();
    expect(peekHeader(Buffer.alloc(11))).toBeNull();
    const pointer = Buffer.from(wire);
    pointer[12] = 0xc0; // a compression pointer in a question
    expect(peekQuery(pointer)).toBeNull();
    const noQuestion = Buffer.from(wire);
    noQuestion[5] = 0;
    expect(peekQuery(noQuestion)).toBeNull();
  });
  it('reads the root name', () => {
    const wire = dnsPacket.encode({ type: 'query', id: 1, questions: [{ name: '.', type: 'NS' }] });
    expect(peekQuery(wire)!.qname).toBe('.');
  });
});
