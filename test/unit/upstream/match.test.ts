import * as dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { replyMatches } from '../../../src/upstream/match.js';
import { buildUpstreamQuery } from '../../../src/wire/upstream-query.js';

const query = buildUpstreamQuery(0x1234, 'www.Example.com', 'A', true);
const answer = (id: number, name: string, flags = 0) =>
  dnsPacket.encode({ type: 'response', id, flags, questions: [{ name, type: 'A', class: 'IN' }], answers: [] });

describe('replyMatches (RFC 5452)', () => {
  it('accepts the matching reply', () => {
    expect(replyMatches(query, answer(0x1234, 'www.Example.com'), true)).toBe(true);
  });
  it('rejects a wrong ID, a different question, or a query', () => {
    expect(replyMatches(query, answer(0x1235, 'www.Example.com'), false)).toBe(false);
    expect(replyMatches(query, answer(0x1234, 'www.example.org'), false)).toBe(false);
    expect(replyMatches(query, query, false)).toBe(false);
  });
  it('compares case only when asked to (0x20)', () => {
    expect(replyMatches(query, answer(0x1234, 'www.example.com'), false)).toBe(true);
    expect(replyMatches(query, answer(0x1234, 'www.example.com'), true)).toBe(false);
  });
  it('accepts an error reply without a question, but not a NOERROR one', () => {
    const bare = (rcode: number) => { const b = Buffer.alloc(12); b.writeUInt16BE(0x1234, 0); b.writeUInt16BE(0x8000 | rcode, 2); return b; };
    expect(replyMatches(query, bare(1), false)).toBe(true);
    expect(replyMatches(query, bare(0), false)).toBe(false);
  });
});
