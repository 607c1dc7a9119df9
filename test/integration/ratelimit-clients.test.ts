// The per-client rate limit with two clients at once (issue 7): one flooding client must not lower another's
// answer rate below 90% of what it gets alone. The built server on loopback with `ratelimit-exempt: []` (so
// loopback clients are limited), local data (no upstream), client B (paced, under the limit) bound to 127.0.0.3
// and client A (the flooder: a fixed count of queries, it stops by itself) bound to 127.0.0.2.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as dgram from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodePacket } from '../../src/wire/decode.js';
import { buildQuery, datas } from '../helpers/client.js';
import { assertCliBuilt, freeUdpTcpPort, killAllCli, spawnCli, type CliProcess } from '../helpers/cli.js';

const SERVER = '127.74.0.1';
const CLIENT_A = '127.0.0.2'; // the flooder
const CLIENT_B = '127.0.0.3'; // the well-behaved client
const NAME = 'printer.home.arpa';
const ADDRESS = '192.168.1.50';
const RATE = 50; // queries per second per client
const BURST = 20;
const B_QPS = 30; // under the limit
const B_COUNT = 60; // ~2 s
const A_TOTAL = 5000; // in A_BATCHES batches, one every A_GAP_MS: ~2 s
const A_BATCHES = 50;
const A_GAP_MS = 40;
const SETTLE_MS = 800; // replies still in flight after the last query

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TC = 0x02; // in the third header byte
const QUERY_SIZE = buildQuery(NAME, 'A').length;

async function boundSocket(address: string): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((ok, fail) => { s.once('error', fail); s.bind({ address, port: 0 }, () => ok()); });
  return s;
}

/** A query for NAME with this ID (the same bytes otherwise). */
function queryWithId(id: number): Buffer {
  const q = buildQuery(NAME, 'A', { id: 0 });
  q.writeUInt16BE(id & 0xffff, 0);
  return q;
}

interface BRun { sent: number; answered: number; truncated: number }

/** B: B_COUNT queries at B_QPS on a fixed schedule; counts full answers (NOERROR, the address, TC=0). */
async function pacedRun(port: number): Promise<BRun> {
  const s = await boundSocket(CLIENT_B);
  const seen = new Set<number>();
  let truncated = 0;
  s.on('message', (m) => {
    if ((m[2]! & TC) !== 0) { truncated++; return; }
    const d = decodePacket(m);
    if (d.ok && d.packet.rcode === 'NOERROR' && datas(d.packet).join() === ADDRESS) seen.add(d.packet.id ?? -1);
  });
  const start = performance.now();
  for (let i = 0; i < B_COUNT; i++) {
    const due = start + (i * 1000) / B_QPS;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    s.send(queryWithId(i), port, SERVER);
  }
  await sleep(SETTLE_MS);
  s.close();
  return { sent: B_COUNT, answered: seen.size, truncated };
}

interface ARun { sent: number; answered: number; truncated: number; truncatedWithAnswers: number; seconds: number }

/** A: A_TOTAL queries in batches, as fast as the schedule allows; counts full answers and TC=1 replies. */
async function flood(port: number): Promise<ARun> {
  const s = await boundSocket(CLIENT_A);
  let answered = 0;
  let truncated = 0;
  let truncatedWithAnswers = 0;
  s.on('message', (m) => {
    if ((m[2]! & TC) !== 0) {
      truncated++;
      if (m.readUInt16BE(6) > 0 || m.length > QUERY_SIZE) truncatedWithAnswers++;
    } else if ((m[3]! & 0x0f) === 0 && m.readUInt16BE(6) > 0) answered++;
  });
  const perBatch = A_TOTAL / A_BATCHES;
  const start = performance.now();
  let sent = 0;
  for (let b = 0; b < A_BATCHES; b++) {
    for (let i = 0; i < perBatch; i++) s.send(queryWithId(sent++), port, SERVER);
    await sleep(A_GAP_MS);
  }
  const seconds = (performance.now() - start) / 1000;
  await sleep(SETTLE_MS);
  s.close();
  return { sent, answered, truncated, truncatedWithAnswers, seconds };
}

/** The `ratelimited` counter of the final stats line, logged at shutdown. */
async function finalRatelimited(p: CliProcess): Promise<number> {
  process.kill(p.pid, 'SIGTERM');
  await p.waitForExit(5000);
  for (const line of p.stdout().split('\n')) {
    try {
      const o = JSON.parse(line) as { event?: string; final?: boolean; ratelimited?: number };
      if (o.event === 'stats' && o.final === true && typeof o.ratelimited === 'number') return o.ratelimited;
    } catch {
      // not a JSON line
    }
  }
  throw new Error(`no final stats line with 'ratelimited':\n${p.stdout()}\n${p.stderr()}`);
}

let dir = '';

beforeAll(() => {
  assertCliBuilt();
  dir = mkdtempSync(join(tmpdir(), 'rootline-ratelimit-'));
  // Root hints that lead nowhere on loopback: only local data is asked for.
  writeFileSync(join(dir, 'named.root'), '. 3600000 NS a.root.test.\na.root.test. 3600000 A 127.74.0.53\n');
});

afterEach(async () => {
  await killAllCli();
});

afterAll(async () => {
  await killAllCli();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function serve(action: 'drop' | 'truncate'): Promise<{ p: CliProcess; port: number }> {
  const port = await freeUdpTcpPort([SERVER]);
  const file = join(dir, `rootline-${action}.yaml`);
  writeFileSync(
    file,
    [
      `listen: ["${SERVER}:${port}"]`,
      'root-hints: named.root', 'dnssec-validation: false',
      'upstream-port: 5399',
      'log-format: json',
      `ratelimit: ${RATE}`,
      `ratelimit-burst: ${BURST}`,
      `ratelimit-action: ${action}`,
      'ratelimit-exempt: []',
      'local-data:',
      `  - "${NAME}. 300 A ${ADDRESS}"`,
      '',
    ].join('\n'),
  );
  const p = spawnCli(['serve', '--config', file]);
  await p.waitForOutput(/"event":"listening"/, 8000);
  return { p, port };
}

/** Most full answers the token bucket can give A: the burst, plus the refill while it flooded, plus slack. */
const maxAnswersFor = (a: ARun): number => BURST + RATE * (a.seconds + SETTLE_MS / 1000) + 10;

describe('per-client rate limit with two clients on loopback', () => {
  it('keeps a paced client at ≥ 90% of its answers alone while another floods, and drops the flood', async () => {
    const { p, port } = await serve('drop');
    const alone = await pacedRun(port);
    const [withFlood, a] = await Promise.all([pacedRun(port), flood(port)]);
    const ratelimited = await finalRatelimited(p);
    console.log(`ratelimit drop: B alone ${alone.answered}/${alone.sent}, B with flood ${withFlood.answered}/${withFlood.sent}; A answered ${a.answered}/${a.sent} in ${a.seconds.toFixed(2)} s (bound ${maxAnswersFor(a).toFixed(0)}); ratelimited ${ratelimited}`);
    // The baseline means something: B under its limit gets (nearly) everything alone.
    expect(alone.answered).toBeGreaterThanOrEqual(0.95 * alone.sent);
    // The flood does not take B's answers away.
    expect(withFlood.answered).toBeGreaterThanOrEqual(0.9 * alone.answered);
    expect(withFlood.truncated + alone.truncated).toBe(0);
    // A was held to its bucket: no more than burst + rate × time, far below what it sent, and nothing truncated.
    expect(a.sent).toBe(A_TOTAL);
    expect(a.answered).toBeGreaterThanOrEqual(BURST);
    expect(a.answered).toBeLessThanOrEqual(maxAnswersFor(a));
    expect(a.truncated).toBe(0);
    // Every limited query was A's (B was never limited): the counter is at most what A lost.
    expect(ratelimited).toBeGreaterThan(0);
    expect(ratelimited).toBeLessThanOrEqual(a.sent - a.answered);
    expect(ratelimited).toBeGreaterThanOrEqual(0.5 * (a.sent - a.answered)); // lost mostly to the limit, not the kernel
  });

  it('answers the flood over its limit with TC=1 under ratelimit-action: truncate, and B still gets its answers', async () => {
    const { p, port } = await serve('truncate');
    const [b, a] = await Promise.all([pacedRun(port), flood(port)]);
    const ratelimited = await finalRatelimited(p);
    console.log(`ratelimit truncate: B with flood ${b.answered}/${b.sent}; A answered ${a.answered}, TC=1 ${a.truncated} of ${a.sent} in ${a.seconds.toFixed(2)} s; ratelimited ${ratelimited}`);
    expect(b.answered).toBeGreaterThanOrEqual(0.9 * b.sent);
    expect(b.truncated).toBe(0);
    expect(a.answered).toBeGreaterThanOrEqual(BURST);
    expect(a.answered).toBeLessThanOrEqual(maxAnswersFor(a));
    // Past its bucket A gets TC=1 (real clients retry over TCP), counted as ratelimited.
    expect(a.truncated).toBeGreaterThanOrEqual(0.5 * (a.sent - a.answered));
    expect(a.truncated).toBeLessThanOrEqual(ratelimited);
    expect(a.truncatedWithAnswers).toBe(0); // empty TC=1 replies, none bigger than the query: no amplification
    expect(ratelimited).toBeLessThanOrEqual(a.sent - a.answered);
  });
});
