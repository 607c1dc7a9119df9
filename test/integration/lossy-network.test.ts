// A lossy, slow network in front of real loopback authoritative servers (issue 18): every server sits behind a
// proxy that drops 5% of UDP datagrams each way and delays them by role (root ~12 ms, TLD ~25 ms, others
// 40 ± 10 ms one way). The real server must answer every name the hierarchy serves — 0 SERVFAIL from loss —
// including names in zones with a single server, and one whose server drops its first two replies.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/schema.js';
import { startServer, type RunningServer } from '../../src/main.js';
import type { RR } from '../../src/wire/types.js';
import { ask, datas } from '../helpers/client.js';
import { authoritative, rr, type Handler } from '../helpers/fake-net.js';
import { freePortOn, serveOnLoopback, type LoopbackServer } from '../helpers/loopback-auth.js';
import { lossyProxy, type LossyProxy } from '../helpers/lossy-proxy.js';

const LOSS = 0.05;
const ZONES = 60;
const HOSTS = 6;
const LABELS = ['www', 'mail', 'api', 'cdn', 'static'];
const IN_FLIGHT = 20;

/** Backend (real server) and front (proxy) address of each role; the hierarchy only names the fronts. */
const backend = { root: '127.54.0.1', tld: '127.54.1.1', host: (h: number) => `127.54.2.${h + 1}` };
const front = { root: '127.55.0.1', tld: '127.55.1.1', host: (h: number) => `127.55.2.${h + 1}` };
const FLAKY = 'flaky.test';
const FLAKY_HOST = HOSTS; // one more host, alone serving FLAKY

const zoneName = (i: number): string => `d${i}.test`;
const addressOf = (name: string, i: number): string => `198.51.${i}.${LABELS.indexOf(name) + 1}`;

/** One authoritative handler per zone a host serves, picked by the question name. */
function hostHandler(zones: string[], recordsOf: (zone: string) => RR[]): Handler {
  const handlers = new Map(zones.map((z) => [z, authoritative(z, recordsOf(z))]));
  return (q, o) => {
    const name = q.questions![0]!.name.toLowerCase();
    const zone = zones.find((z) => name === z || name.endsWith(`.${z}`));
    return zone ? handlers.get(zone)!(q, o) : { type: 'response', flags: 5 };
  };
}

describe('a lossy, slow network (5% loss each way)', () => {
  const servers: LoopbackServer[] = [];
  const proxies: LossyProxy[] = [];
  let resolver: RunningServer;
  let listenPort = 0;
  let flakyQueries = 0;

  beforeAll(async () => {
    const hostIds = Array.from({ length: HOSTS + 1 }, (_, h) => h);
    const port = await freePortOn([backend.root, backend.tld, ...hostIds.map(backend.host), front.root, front.tld, ...hostIds.map(front.host)]);
    const zoneRecords = (i: number): RR[] => [
      rr.ns(zoneName(i), `ns.${zoneName(i)}`),
      rr.a(`ns.${zoneName(i)}`, front.host(i % HOSTS), 86400),
      ...LABELS.map((l) => rr.a(`${l}.${zoneName(i)}`, addressOf(l, i))),
    ];
    const flakyRecords: RR[] = [rr.ns(FLAKY, `ns.${FLAKY}`), rr.a(`ns.${FLAKY}`, front.host(FLAKY_HOST), 86400), rr.a(`www.${FLAKY}`, '192.0.2.99')];
    const root = authoritative('.', [rr.ns('.', 'a.root.lab'), rr.a('a.root.lab', front.root), rr.ns('lab', 'a.root.lab'), rr.ns('test', 'ns.tld.lab'), rr.a('ns.tld.lab', front.tld)]);
    const tld = authoritative('test', [
      rr.ns('test', 'ns.tld.lab'),
      ...Array.from({ length: ZONES }, (_, i) => zoneRecords(i).slice(0, 2)).flat(),
      ...flakyRecords.slice(0, 2),
    ]);
    const flaky = authoritative(FLAKY, flakyRecords);
    const backends: [string, Handler, string, number][] = [
      [backend.root, root, front.root, 12],
      [backend.tld, tld, front.tld, 25],
      ...Array.from({ length: HOSTS }, (_, h): [string, Handler, string, number] => {
        const mine = Array.from({ length: ZONES }, (_, i) => i).filter((i) => i % HOSTS === h);
        return [backend.host(h), hostHandler(mine.map(zoneName), (z) => zoneRecords(Number(z.slice(1).split('.')[0]))), front.host(h), 40];
      }),
      // The server of FLAKY drops the replies to its first two queries.
      [backend.host(FLAKY_HOST), (q, o) => (++flakyQueries <= 2 ? 'drop' : flaky(q, o)), front.host(FLAKY_HOST), 40],
    ];
    let seed = 1;
    for (const [address, handler, proxyAddress, delayMs] of backends) {
      servers.push(await serveOnLoopback(address, port, handler));
      proxies.push(await lossyProxy({ address: proxyAddress, port }, { address, port }, { loss: LOSS, delayMs, jitterMs: delayMs >= 40 ? 10 : 2, seed: seed++ }));
    }
    const dir = mkdtempSync(join(tmpdir(), 'rootline-lossy-'));
    const hints = join(dir, 'named.root');
    writeFileSync(hints, `. 3600000 NS a.root.lab.\na.root.lab. 3600000 A ${front.root}\n`);
    // Default timers and budgets (query-timeout-ms 4000, upstream-timeout-ms 800): the setting.
    resolver = await startServer({ ...DEFAULTS, listen: ['127.0.0.1:0'], rootHints: hints, dnssecValidation: false, upstreamPort: port, serveStale: false }, { logger: pino({ level: 'silent' }) });
    listenPort = Number(resolver.addresses[0]!.split(':')[1]);
  }, 20_000);

  afterAll(async () => {
    await resolver?.close();
    await Promise.all([...proxies.map((p) => p.close()), ...servers.map((s) => s.close())]);
  });

  it('answers every name of the hierarchy: 0 SERVFAIL from loss', async () => {
    const names = Array.from({ length: ZONES }, (_, i) => LABELS.map((l) => [`${l}.${zoneName(i)}`, addressOf(l, i)] as const)).flat();
    const failed: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < names.length) {
        const [name, address] = names[next++]!;
        const r = await ask('127.0.0.1', listenPort, name, 'A', { edns: true, timeoutMs: 8000 });
        if (r.rcode !== 'NOERROR' || datas(r).join() !== address) failed.push(`${name} ${r.rcode} ${datas(r).join()}`);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const dropped = proxies.reduce((n, p) => n + p.stats.droppedToServer + p.stats.droppedToClient, 0);
    expect(names.length).toBe(300);
    expect(dropped).toBeGreaterThan(10); // the loss was real
    expect(failed).toEqual([]);
  }, 30_000);

  it('a single-server zone whose server drops its first two replies still resolves', async () => {
    const r = await ask('127.0.0.1', listenPort, `www.${FLAKY}`, 'A', { edns: true, timeoutMs: 8000 });
    expect(r.rcode).toBe('NOERROR');
    expect(datas(r)).toEqual(['192.0.2.99']);
    expect(flakyQueries).toBeGreaterThanOrEqual(3);
  }, 10_000);
});
