// EDNS(0) padding of responses (RFC 7830, RFC 8467 block length 468): when it is asked for, where the option goes,
// and what is left alone.
import * as dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { smallestTtl } from '../../../src/wire/layout.js';
import { padResponse, PADDING_OPTION, RESPONSE_BLOCK, wantsPadding } from '../../../src/wire/padding.js';

const opt = (options: { code: number; data: Buffer }[]) => ({ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0, options }) as unknown as dnsPacket.Answer;
const query = (options: { code: number; data: Buffer }[] | null) =>
  dnsPacket.encode({ type: 'query', id: 1, questions: [{ name: 'example.com', type: 'A', class: 'IN' }], additionals: options ? [opt(options)] : [] });
const response = (answers: number, withOpt = true) =>
  dnsPacket.encode({
    type: 'response',
    id: 1,
    questions: [{ name: 'example.com', type: 'A', class: 'IN' }],
    answers: Array.from({ length: answers }, (_, i) => ({ type: 'A', name: 'example.com', ttl: 100 + i, data: `192.0.2.${i}` }) as dnsPacket.Answer),
    additionals: withOpt ? [opt([])] : [],
  });

describe('padding', () => {
  it('is wanted only when the query has a Padding option', () => {
    expect(wantsPadding(query([{ code: PADDING_OPTION, data: Buffer.alloc(0) }]))).toBe(true);
    expect(wantsPadding(query([{ code: 10, data: Buffer.alloc(8) }, { code: PADDING_OPTION, data: Buffer.alloc(20) }]))).toBe(true);
    expect(wantsPadding(query([{ code: 10, data: Buffer.alloc(8) }]))).toBe(false);
    expect(wantsPadding(query(null))).toBe(false);
    expect(wantsPadding(Buffer.from('garbage that is no message'))).toBe(false);
  });

  it('pads to a multiple of 468 with zeros in the OPT record, the rest unchanged', () => {
    for (const n of [0, 1, 5, 30, 40]) {
      const plain = response(n);
      const padded = padResponse(plain);
      expect(padded.length % RESPONSE_BLOCK, `${n} answers`).toBe(0);
      const d = dnsPacket.decode(padded);
      expect(d.answers).toEqual(dnsPacket.decode(plain).answers);
      const options = (d.additionals![0] as unknown as { options: { code: number; data: Buffer }[] }).options;
      expect(options.map((o) => o.code)).toEqual([PADDING_OPTION]);
      expect(options[0]!.data.every((b) => b === 0)).toBe(true);
    }
  });

  it('leaves a response without OPT alone', () => {
    const plain = response(2, false);
    expect(padResponse(plain)).toBe(plain);
  });
});

describe('smallestTtl', () => {
  it('is the least TTL of the records, OPT not counted; null without records', () => {
    expect(smallestTtl(response(3))).toBe(100);
    expect(smallestTtl(response(0))).toBeNull();
  });
});
