// The upstream UDP pool on loopback: replies are matched by source, ID and question, and a reply that differs
// only in letter case (0x20) neither ends the wait early nor hides the real reply behind it.
import * as dgram from 'node:dgram';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { UdpPool } from '../../../src/upstream/udp-pool.js';
import { SeededRandom } from '../../../src/util/random.js';
import { buildUpstreamQuery } from '../../../src/wire/upstream-query.js';

const SERVER = '127.8.0.1';

/** A reply to `query`: the same bytes with QR set; `flip` swaps the letter case of the question name. */
function replyTo(query: Buffer, flip: boolean): Buffer {
  const out = Buffer.from(query);
  out[2] = out[2]! | 0x80;
  if (flip) for (let i = 12; out[i] !== 0 && i < out.length; i++) if (/[a-z]/i.test(String.fromCharCode(out[i]!))) out[i] = out[i]! ^ 0x20;
  return out;
}

describe('UdpPool', () => {
  const opened: dgram.Socket[] = [];
  const pool = new UdpPool(new SeededRandom(7));
  afterEach(() => {
    for (const s of opened.splice(0)) s.close();
  });
  afterAll(() => pool.closeAll());
  const serve = async (respond: (q: Buffer, send: (b: Buffer) => void) => void): Promise<number> => {
    const s = dgram.createSocket('udp4');
    opened.push(s);
    s.on('message', (q, r) => respond(q, (b) => s.send(b, r.port, r.address)));
    await new Promise<void>((ok) => s.bind(0, SERVER, ok));
    return s.address().port;
  };

  it('ignores a reply whose question differs only in case and takes the exact one after it', async () => {
    const port = await serve((q, send) => {
      send(replyTo(q, true)); // a forged or case-folding reply first
      setTimeout(() => send(replyTo(q, false)), 20);
    });
    const wire = buildUpstreamQuery(4321, 'wWw.ExAmple.cOm', 'A', true);
    const r = await pool.query({ address: SERVER, port }, wire, { tcp: false, timeoutMs: 1000, exactCase: true });
    expect(r.kind).toBe('reply');
  });

  it('reports a case mismatch only when no exact reply came before the timeout', async () => {
    const port = await serve((q, send) => send(replyTo(q, true)));
    const wire = buildUpstreamQuery(4322, 'wWw.ExAmple.cOm', 'A', true);
    const started = Date.now();
    const r = await pool.query({ address: SERVER, port }, wire, { tcp: false, timeoutMs: 150, exactCase: true });
    expect(r.kind).toBe('case-mismatch');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('ignores replies with another ID, and times out', async () => {
    const port = await serve((q, send) => {
      const wrong = replyTo(q, false);
      wrong.writeUInt16BE((q.readUInt16BE(0) + 1) & 0xffff, 0);
      send(wrong);
    });
    const r = await pool.query({ address: SERVER, port }, buildUpstreamQuery(4323, 'example.com', 'A', true), { tcp: false, timeoutMs: 100, exactCase: false });
    expect(r.kind).toBe('timeout');
  });
});
