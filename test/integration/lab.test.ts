// `rootline lab`'s hierarchy: every example it advertises resolves as its description says, through the real
// server, on loopback.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/schema.js';
import { answerQuestion, zone } from '../../src/lab/answerer.js';
import { startLab, type Lab } from '../../src/lab/lab.js';
import { labServers } from '../../src/lab/lab-zones.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { ask, datas } from '../helpers/client.js';
import { freePortOn } from '../helpers/loopback-auth.js';

describe('the lab hierarchy', () => {
  let lab: Lab;
  let server: RunningServer;
  let port = 0;

  beforeAll(async () => {
    const prefix = '127.58';
    const labPort = await freePortOn(labServers(prefix).map((s) => s.address));
    lab = await startLab({ port: labPort, prefix });
    const hints = join(mkdtempSync(join(tmpdir(), 'rootline-labtest-')), 'named.root');
    const anchor = await lab.writeRootHints(hints);
    // The lab root's DS as the trust anchor, as `rootline lab` does (validation is on by default, issue 9).
    const config = { ...DEFAULTS, listen: ['127.0.0.1:0'], rootHints: hints, upstreamPort: labPort, serveStale: false, trustAnchorFile: anchor };
    server = await startServer(config, { logger: pino({ level: 'silent' }) });
    port = Number(server.addresses[0]!.split(':')[1]);
  });

  afterAll(async () => {
    await server?.close();
    await lab?.stop();
  });

  const q = (name: string, type: string) => ask('127.0.0.1', port, name, type, { edns: true, tcp: type === 'TXT' });

  it('resolves every advertised example as described', async () => {
    const results = new Map<string, Awaited<ReturnType<typeof q>>>();
    for (const e of lab.examples) results.set(`${e.name} ${e.type}`, await q(e.name, e.type));
    const r = (k: string) => results.get(k)!;
    expect(datas(r('www.example.com A'))).toEqual(['192.0.2.80']);
    expect(r('start.example.com A').answers!.map((a) => a.type)).toEqual(['CNAME', 'CNAME', 'A']);
    expect(r('x.old.example.com A').answers!.map((a) => a.type)).toEqual(['DNAME', 'CNAME', 'A']);
    expect(datas(r('www.glueless.org A'))).toEqual(['203.0.113.99']);
    expect(r('nope.example.com A').rcode).toBe('NXDOMAIN');
    expect(r('www.example.com MX').answers).toEqual([]);
    expect(r('loop.example.com A').rcode).toBe('SERVFAIL');
    expect(r('www.lame.com A').rcode).toBe('SERVFAIL');
    expect(r('big.example.com TXT').answers).toHaveLength(40);
    expect(datas(r('pool.example.com A')).sort()).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4']);
  });
});

describe('lab answerer', () => {
  const z = zone('example.test', ['@ 3600 SOA ns1 hostmaster 1 7200 900 1209600 60', '@ NS ns1', 'ns1 A 127.0.0.9', 'a.b A 192.0.2.1', 'sub NS ns.sub', 'ns.sub A 127.0.0.10']);
  it('refers below a zone cut with glue, and answers NODATA for an empty non-terminal, NXDOMAIN otherwise', () => {
    const ref = answerQuestion([z], 'www.sub.example.test', 'A');
    expect(ref.flags! & 0x0400).toBe(0);
    expect(ref.authorities!.map((r) => r.type)).toEqual(['NS']);
    expect(ref.additionals!.map((r) => (r as { data: string }).data)).toEqual(['127.0.0.10']);
    const ent = answerQuestion([z], 'b.example.test', 'A');
    expect(ent.flags! & 0x0f).toBe(0);
    expect((ent.authorities![0] as { ttl: number }).ttl).toBe(60);
    expect(answerQuestion([z], 'zz.example.test', 'A').flags! & 0x0f).toBe(3);
    expect(answerQuestion([z], 'example.org', 'A').flags! & 0x0f).toBe(5);
  });
});
