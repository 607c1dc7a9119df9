// The path the validator will take: records decoded by wire/decode.ts from a reply that compresses names and
// mixes letter case (as 0x20 does), then verified. Canonical form must undo both.
import * as dnsPacket from 'dns-packet';
import type { RrsigData } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, signRrset, windowAround } from '../../../src/dnssec/sign.js';
import { verifyRrsig } from '../../../src/dnssec/verify.js';
import { decodePacket } from '../../../src/wire/decode.js';
import type { RR } from '../../../src/wire/types.js';
import { hex, rr } from './rfc-vectors.js';

/** Length-prefixed RDATA of an RRSIG as dns-packet writes it (the signer's name is never compressed, RFC 4034 §3.1.7). */
const rrsigRdata = (data: RrsigData): Buffer =>
  (dnsPacket as unknown as { rrsig: { encode(d: RrsigData): Buffer } }).rrsig.encode(data);

describe('records decoded from a compressed reply', () => {
  it('verify against the signature made over their lower-case, uncompressed form', () => {
    const key = generateSigningKey('example.org', 13);
    const signed = signRrset([rr('example.org', 'MX', 3600, { preference: 10, exchange: 'mail.example.org' })], key, windowAround(Date.UTC(2026, 0, 1)));

    const reply = Buffer.concat([
      hex('1234 8180 0001 0002 0000 0000'),
      Buffer.from('\x07ExAmPlE\x03oRg\x00', 'latin1'), // question at offset 12
      hex('000f 0001'),
      // MX at the question's name; exchange "MAIL" + a pointer to that name
      hex('c00c 000f 0001 00000e10 0009 000a'), Buffer.from('\x04MAIL', 'latin1'), hex('c00c'),
      hex('c00c 002e 0001 00000e10'), rrsigRdata(signed.data as RrsigData),
    ]);
    const decoded = decodePacket(reply);
    if (!decoded.ok) throw new Error(decoded.reason);
    const [mx, rrsig] = decoded.packet.answers as RR[];
    expect(mx).toMatchObject({ name: 'ExAmPlE.oRg', data: { exchange: 'MAIL.ExAmPlE.oRg' } });
    expect(verifyRrsig([mx!], rrsig!.data as RrsigData, { name: 'example.org', data: key.dnskey })).toEqual({ status: 'valid' });
  });
});
