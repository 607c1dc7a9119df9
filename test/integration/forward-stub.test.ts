// The real server on loopback with forward and stub zones from a config file. The forwarder is a second rootline
// on loopback (the home router's resolver stand-in: it serves the LAN names and recurses for the rest over the
// test hierarchy); the stub zone and the TCP-only forward zone are scripted servers on their own 127.x addresses.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile, mergeConfig } from '../../src/config/load.js';
import { DEFAULTS } from '../../src/config/schema.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { Flag } from '../../src/wire/question.js';
import { ask, datas, edeOf } from '../helpers/client.js';
import { authoritative, rr } from '../helpers/fake-net.js';
import { freePortOn, serveOnLoopback, type LoopbackServer } from '../helpers/loopback-auth.js';

const ROOT = '127.8.1.1';
const EXAMPLE = '127.8.1.2';
const ROUTER = '127.8.1.3';
const CORP = '127.8.1.4';
const TCP_ONLY = '127.8.1.5';
const NOBODY = '127.8.1.9';

const silent = pino({ level: 'silent' });

describe('forward and stub zones, served on loopback', () => {
  const auths: LoopbackServer[] = [];
  let router: RunningServer;
  let server: RunningServer;
  let port = 0;
  let tcpOnly: LoopbackServer;

  beforeAll(async () => {
    const upstreamPort = await freePortOn([ROOT, EXAMPLE, CORP, TCP_ONLY, NOBODY]);
    auths.push(
      await serveOnLoopback(ROOT, upstreamPort, authoritative('.', [rr.ns('.', 'a.root.lab'), rr.a('a.root.lab', ROOT), rr.ns('example', 'ns.example'), rr.a('ns.example', EXAMPLE)])),
      await serveOnLoopback(EXAMPLE, upstreamPort, authoritative('example', [rr.ns('example', 'ns.example'), rr.a('ns.example', EXAMPLE), rr.a('www.example', '192.0.2.10'), rr.a('www.dead.example', '192.0.2.11')])),
      await serveOnLoopback(CORP, upstreamPort, authoritative('corp', [rr.ns('corp', 'ns.corp'), rr.a('wiki.corp', '10.20.0.8')])),
    );
    // A recursive server that only answers over TCP (as behind a firewall that drops UDP).
    const lanAnswers = authoritative('tcp.lan', [rr.a('box.tcp.lan', '192.168.7.7')]);
    tcpOnly = await serveOnLoopback(TCP_ONLY, upstreamPort, async (q, o) => {
      if (!o.tcp) return 'drop';
      const r = await lanAnswers(q, o);
      return typeof r === 'object' && !Buffer.isBuffer(r) ? { ...r, flags: Flag.RA | Flag.RD } : r;
    });
    auths.push(tcpOnly);

    const dir = mkdtempSync(join(tmpdir(), 'rootline-fwd-'));
    const hints = join(dir, 'named.root');
    writeFileSync(hints, `. 3600000 NS a.root.lab.\na.root.lab. 3600000 A ${ROOT}\n`);
    const lab = { rootHints: hints, dnssecValidation: false, upstreamPort, upstreamTimeoutMs: 200, queryTimeoutMs: 2500, serveStale: false };
    // The router: LAN names from local data (one of them a lie about a public name), everything else recursed.
    router = await startServer(
      mergeConfig(DEFAULTS, {}, {
        ...lab,
        listen: [`${ROUTER}:0`],
        localData: ['nas.lan. 300 A 192.168.1.10', 'evil.lan. CNAME www.example.', 'www.example. A 6.6.6.6', '10.1.168.192.in-addr.arpa. PTR nas.lan.'],
      }),
      { logger: silent },
    );
    const routerPort = Number(router.addresses[0]!.split(':')[1]);
    writeFileSync(
      join(dir, 'rootline.yaml'),
      [
        'forward-zones:',
        '  - name: lan',
        `    servers: ["${ROUTER}@${routerPort}"]`,
        '  - name: 1.168.192.in-addr.arpa',
        `    servers: ["${ROUTER}:${routerPort}"]`,
        '  - name: tcp.lan',
        `    servers: ["${TCP_ONLY}@${upstreamPort}"]`,
        '    tcp: true',
        '  - name: dead.example',
        `    servers: ["${NOBODY}@${upstreamPort}"]`,
        '    fallback: recurse',
        '  - name: gone.example',
        `    servers: ["${NOBODY}@${upstreamPort}"]`,
        'stub-zones:',
        '  - name: corp',
        `    servers: ["${CORP}@${upstreamPort}"]`,
      ].join('\n'),
    );
    const file = await loadConfigFile(join(dir, 'rootline.yaml'));
    server = await startServer(mergeConfig(DEFAULTS, file, { ...lab, listen: ['127.0.0.1:0'] }), { logger: silent });
    port = Number(server.addresses[0]!.split(':')[1]);
  });

  afterAll(async () => {
    await server.close();
    await router.close();
    for (const a of auths) await a.close();
  });

  const q = (name: string, type = 'A') => ask('127.0.0.1', port, name, type, { edns: true });

  it('forwards the LAN domain to the router and answers its names', async () => {
    const r = await q('nas.lan');
    expect([r.rcode, datas(r)]).toEqual(['NOERROR', ['192.168.1.10']]);
    const missing = await q('nothing.lan');
    expect(missing.rcode).toBe('NXDOMAIN');
  });

  it('forwards a private reverse zone while the rest of the RFC 6303 zone stays local', async () => {
    const ptr = await q('10.1.168.192.in-addr.arpa', 'PTR');
    expect([ptr.rcode, datas(ptr)]).toEqual(['NOERROR', ['nas.lan']]);
    const local = await q('5.0.168.192.in-addr.arpa', 'PTR');
    expect([local.rcode, local.flag_aa]).toEqual(['NXDOMAIN', true]);
  });

  it('does not let the forwarder answer for a zone it was not configured for', async () => {
    const evil = await q('evil.lan');
    expect(evil.answers!.map((a) => `${a.type} ${String((a as { data: unknown }).data)}`)).toEqual(['CNAME www.example', 'A 192.0.2.10']);
    expect(datas(await q('www.example'))).toEqual(['192.0.2.10']);
  });

  it('asks a tcp forward zone over TCP only', async () => {
    const r = await q('box.tcp.lan');
    expect(datas(r)).toEqual(['192.168.7.7']);
    expect(tcpOnly.queries.length).toBeGreaterThan(0);
    expect(tcpOnly.queries.every((x) => x.tcp)).toBe(true);
  });

  it('falls back to recursion, or fails with an EDE naming the zone, when no forwarder answers', async () => {
    expect(datas(await q('www.dead.example'))).toEqual(['192.0.2.11']);
    const gone = await q('www.gone.example');
    expect(gone.rcode).toBe('SERVFAIL');
    expect(edeOf(gone)?.text).toMatch(/no forward server for gone.example answered/);
  });

  it('iterates a stub zone from its own servers', async () => {
    const r = await q('wiki.corp');
    expect([r.rcode, datas(r)]).toEqual(['NOERROR', ['10.20.0.8']]);
    expect(auths[0]!.queries.some((x) => x.name.toLowerCase().endsWith('corp'))).toBe(false);
  });
});
