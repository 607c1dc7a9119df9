import * as dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { nameKeyPrefix, peekHeader, peekQuery, questionKey, readQname } from '../../../src/wire/question.js';

describe('peekQuery', () => {
  it('reads the header and question without a full decode, keeping case', () => {
    const wire = dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: 'WwW.Example.com', type: 'AAAA', class: 'IN' }] });
    const q = peekQuery(wire)!;
    expect(q.id).toBe(4242);
    expect(readQname(wire)).toBe('WwW.Example.com');
    // The key is the wire question with ASCII letters folded: same for any case, different per type.
    const key = questionKey(wire, q.questionEnd, 0x30);
    expect(key).toBe('\x03www\x07example\x03com\x00\x00\x1c\x00\x010');
    expect(key.startsWith(nameKeyPrefix('WWW.example.COM.'))).toBe(true);
    expect(q.qtype).toBe(28);
    expect(q.qclass).toBe(1);
    expect(q.questionEnd).toBe(wire.length);
  });
  it('folds only ASCII case (RFC 1035 §2.3.3), so Latin-1 letters stay distinct', () => {
    const a = Buffer.from(dnsPacket.encode({ type: 'query', id: 1, questions: [{ name: 'x.example', type: 'A' }] }));
    const b = Buffer.from(a);
    a[13] = 0xe9; // é
    b[13] = 0xc9; // É
    expect(questionKey(a, peekQuery(a)!.questionEnd, 0)).not.toBe(questionKey(b, peekQuery(b)!.questionEnd, 0));
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
    expect(readQname(wire)).toBe('.');
    expect(questionKey(wire, peekQuery(wire)!.questionEnd, 0x31)).toBe('\x00\x00\x02\x00\x011');
  });
});
