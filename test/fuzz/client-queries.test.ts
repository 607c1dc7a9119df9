// Property-based fuzzing of what clients send (issue 18): random and mutated queries — every header bit, odd
// EDNS, compression loops, lengths off by one — through the real pipeline, and random bytes through the TCP
// stream framing. Properties: no throw, no unhandled rejection, and every query gets FORMERR, REFUSED, NOTIMP,
// SERVFAIL, an answer, or nothing — a well-formed response echoing the query's ID.
// A fixed seed in `npm test`; `npm run fuzz` runs longer with a new seed (FUZZ_SEED / FUZZ_RUNS).
import * as dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serveStream } from '../../src/server/stream.js';
import { decodePacket } from '../../src/wire/decode.js';
import { frameMessage } from '../../src/wire/framing.js';
import { authoritative, rr } from '../helpers/fake-net.js';
import { memoryStreamPair } from '../helpers/memory-stream.js';
import { LOCAL_TCP, LOCAL_UDP, makePipeline } from '../helpers/pipeline.js';
import { fuzzParams } from './params.js';

const ROOT = '127.5.0.1';

function pipelineUnderTest() {
  const t = makePipeline(ROOT, { config: { queryTimeoutMs: 500 } });
  // A tiny hierarchy that answers, so valid-looking queries go the whole way.
  t.net.on(ROOT, authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.a('www.test', '192.0.2.1'), rr.txt('txt.test', 'x')]));
  return t;
}

const NAMES = ['www.test', 'txt.test', 'nope.test', 'localhost', '1.0.0.127.in-addr.arpa', '.', 'a.b.c.d.e.f.test', 'x'.repeat(63) + '.test'];
const TYPES = ['A', 'AAAA', 'TXT', 'MX', 'NS', 'SOA', 'ANY', 'AXFR', 'IXFR', 'PTR', 'CNAME', 'DS', 'DNSKEY', 'OPT', 'TYPE65280'];

/** A valid query, built by dns-packet, with every header bit and EDNS choice open. */
const validQuery = fc
  .record({
    id: fc.integer({ min: 0, max: 0xffff }),
    flags: fc.integer({ min: 0, max: 0xffff }),
    name: fc.constantFrom(...NAMES),
    type: fc.constantFrom(...TYPES),
    klass: fc.constantFrom('IN', 'CH', 'HS', 'ANY'),
    edns: fc.option(fc.record({ size: fc.integer({ min: 0, max: 0xffff }), version: fc.integer({ min: 0, max: 3 }), flags: fc.integer({ min: 0, max: 0xffff }) })),
    extraQuestions: fc.integer({ min: 0, max: 2 }),
  })
  .map((q) => {
    const question = { name: q.name, type: q.type as 'A', class: q.klass as 'IN' };
    const opt = q.edns ? [{ type: 'OPT', name: '.', udpPayloadSize: q.edns.size, ednsVersion: q.edns.version, flags: q.edns.flags, options: [] } as unknown as dnsPacket.Answer] : [];
    try {
      return dnsPacket.encode({ type: 'query', id: q.id, flags: q.flags & ~0x8000, questions: Array.from({ length: 1 + q.extraQuestions }, () => question), additionals: opt });
    } catch {
      return Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    }
  });

/** A valid query with bytes flipped, cut, lengthened, or its name pointing at itself (a compression loop). */
const mutatedQuery = fc.tuple(validQuery, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.integer({ min: -3, max: 3 }), fc.boolean()).map(
  ([bytes, flips, lengthChange, loop]) => {
    let b = Buffer.from(bytes);
    for (const [at, value] of flips) b[at % b.length] = value;
    if (loop && b.length > 14) {
      b[12] = 0xc0; // a pointer to offset 12: the name points at itself
      b[13] = 0x0c;
    }
    if (lengthChange < 0) b = b.subarray(0, Math.max(0, b.length + lengthChange));
    else if (lengthChange > 0) b = Buffer.concat([b, Buffer.alloc(lengthChange, 0xff)]);
    return b;
  },
);

const anyBytes = fc.uint8Array({ minLength: 0, maxLength: 600 }).map((u) => Buffer.from(u));

const ALLOWED_RCODES = new Set(['NOERROR', 'NXDOMAIN', 'SERVFAIL', 'FORMERR', 'REFUSED', 'NOTIMP', 'BADVERS']);

/** What any reply must be: a decodable response echoing the query's ID, with one of the rcodes we send. */
function checkReply(query: Buffer, out: Buffer | null): void {
  if (out === null) return; // dropped: allowed (garbage without a header, a response, an outsider…)
  expect(out.length).toBeGreaterThanOrEqual(12);
  expect(out.readUInt16BE(0)).toBe(query.readUInt16BE(0));
  expect(out[2]! & 0x80).toBe(0x80); // QR: a response
  const d = decodePacket(out);
  // A refusal of an undecodable question carries the client's raw question back: the header still reads.
  if (d.ok) expect(ALLOWED_RCODES.has(d.packet.rcode ?? ''), `rcode ${d.packet.rcode}`).toBe(true);
}

describe('fuzzing client queries through the pipeline', () => {
  const { seed, numRuns } = fuzzParams();

  it('valid, mutated and random packets over UDP and TCP: an allowed answer or nothing, never a throw', async () => {
    const t = pipelineUnderTest();
    await fc.assert(
      fc.asyncProperty(fc.oneof(validQuery, mutatedQuery, anyBytes), fc.boolean(), async (query, tcp) => {
        const out = await t.pipeline.handle(query, tcp ? LOCAL_TCP : LOCAL_UDP);
        if (query.length < 12) expect(out).toBeNull();
        else checkReply(query, out);
      }),
      { seed, numRuns },
    );
  });

  it('random bytes as a TCP stream: frames answered, garbage closes the connection, nothing throws', async () => {
    const t = pipelineUnderTest();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(validQuery.map((q) => frameMessage(q)), anyBytes), { maxLength: 5 }), async (chunks) => {
        const { server, client } = memoryStreamPair();
        const replies: Buffer[] = [];
        client.on('data', (b: Buffer) => replies.push(b));
        client.on('error', () => {});
        const conn = serveStream(server, LOCAL_TCP, (q) => t.pipeline.handle(q, LOCAL_TCP), { idleTimeoutMs: 200, maxInFlight: 8 });
        for (const c of chunks) if (!client.destroyed) client.write(c);
        if (!client.destroyed) client.end();
        await new Promise((r) => setTimeout(r, 5));
        conn.shutdown();
        for (const r of replies) expect(Buffer.isBuffer(r)).toBe(true);
      }),
      { seed, numRuns: Math.max(50, Math.floor(numRuns / 10)) },
    );
  });
});
