// The real server on loopback with local-data and a hosts file from a config file in a temp dir: every record
// type with AA, hosts names and their PTRs, NODATA, the RFC 6303 zones around them, and no local name upstream.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile, mergeConfig } from '../../src/config/load.js';
import { DEFAULTS } from '../../src/config/schema.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { ask, datas } from '../helpers/client.js';
import { authoritative, rr } from '../helpers/fake-net.js';
import { freePortOn, serveOnLoopback, type LoopbackServer } from '../helpers/loopback-auth.js';

const ROOT = '127.8.0.1';
const V6_PTR = '0.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa';

const CONFIG = `
local-data:
  - "nas.home.arpa. 300 IN A 192.168.1.10"
  - "printer.lan AAAA fd00::5"
  - "www.lan CNAME nas.home.arpa."
  - 'lan. TXT "hello world"'
  - "lan. MX 10 mail.lan."
  - "_http._tcp.lan. SRV 0 5 80 nas.lan."
  - "10.1.168.192.in-addr.arpa. PTR nas.home.arpa."
  - "sub.lan. NS ns.lan."
hosts-files:
  - hosts
`;

const HOSTS = [
  '# hosts for the home network',
  '192.168.1.20  media.lan media',
  'fd00::20      tv.lan',
  'this line is not a hosts entry',
  '',
].join('\n');

describe('local data and hosts files, served on loopback', () => {
  let root: LoopbackServer;
  let server: RunningServer;
  let port = 0;
  const logs: { event?: string; file?: string; line?: number }[] = [];

  beforeAll(async () => {
    const upstreamPort = await freePortOn([ROOT]);
    root = await serveOnLoopback(ROOT, upstreamPort, authoritative('.', [rr.ns('.', 'a.root.lab'), rr.a('a.root.lab', ROOT)]));
    const dir = mkdtempSync(join(tmpdir(), 'rootline-local-'));
    const hints = join(dir, 'named.root');
    writeFileSync(hints, `. 3600000 NS a.root.lab.\na.root.lab. 3600000 A ${ROOT}\n`);
    writeFileSync(join(dir, 'hosts'), HOSTS);
    writeFileSync(join(dir, 'rootline.yaml'), CONFIG);
    const file = await loadConfigFile(join(dir, 'rootline.yaml'));
    const config = mergeConfig(DEFAULTS, file, { listen: ['127.0.0.1:0'], rootHints: hints, dnssecValidation: false, upstreamPort, upstreamTimeoutMs: 250, queryTimeoutMs: 2000, serveStale: false });
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (logs.push(JSON.parse(String(chunk)) as never), done()) });
    server = await startServer(config, { logger: pino({ level: 'info' }, sink) });
    port = Number(server.addresses[0]!.split(':')[1]);
  });

  afterAll(async () => {
    await server.close();
    await root.close();
  });

  const q = (name: string, type = 'A', o: { tcp?: boolean; rd?: boolean } = {}) => ask('127.0.0.1', port, name, type, { edns: true, ...o });

  it('answers each local-data type with AA, from local data alone', async () => {
    const a = await q('nas.home.arpa');
    expect([a.rcode, a.flag_aa, datas(a)]).toEqual(['NOERROR', true, ['192.168.1.10']]);
    expect((a.answers![0] as { ttl: number }).ttl).toBe(300);
    const aaaa = await q('Printer.LAN', 'AAAA');
    expect([aaaa.flag_aa, datas(aaaa), aaaa.answers![0]!.name]).toEqual([true, ['fd00::5'], 'Printer.LAN']);
    expect((aaaa.answers![0] as { ttl: number }).ttl).toBe(3600);
    const cname = await q('www.lan');
    expect(cname.answers!.map((r) => `${r.name} ${r.type} ${String((r as { data: unknown }).data)}`)).toEqual(['www.lan CNAME nas.home.arpa', 'nas.home.arpa A 192.168.1.10']);
    const txt = await q('lan', 'TXT', { tcp: true });
    expect([txt.flag_aa, (txt.answers![0] as { data: Buffer[] }).data.map(String)]).toEqual([true, ['hello world']]);
    const mx = await q('lan', 'MX');
    expect((mx.answers![0] as { data: unknown }).data).toEqual({ preference: 10, exchange: 'mail.lan' });
    const srv = await q('_http._tcp.lan', 'SRV');
    expect((srv.answers![0] as { data: unknown }).data).toEqual({ priority: 0, weight: 5, port: 80, target: 'nas.lan' });
    const ptr = await q('10.1.168.192.in-addr.arpa', 'PTR');
    expect([ptr.flag_aa, datas(ptr)]).toEqual([true, ['nas.home.arpa']]);
    const ns = await q('sub.lan', 'NS');
    expect([ns.flag_aa, datas(ns)]).toEqual([true, ['ns.lan']]);
    // local data is answered to RD=0 too, like the locally served zones
    expect(datas(await q('nas.home.arpa', 'A', { rd: false }))).toEqual(['192.168.1.10']);
  });

  it('serves hosts names as A and AAAA, and their addresses as PTRs to the first name', async () => {
    expect(datas(await q('media.lan'))).toEqual(['192.168.1.20']);
    expect(datas(await q('media'))).toEqual(['192.168.1.20']);
    const tv = await q('tv.lan', 'AAAA');
    expect([tv.flag_aa, datas(tv)]).toEqual([true, ['fd00::20']]);
    const ptr4 = await q('20.1.168.192.in-addr.arpa', 'PTR');
    expect([ptr4.rcode, ptr4.flag_aa, datas(ptr4)]).toEqual(['NOERROR', true, ['media.lan']]);
    const ptr6 = await q(V6_PTR, 'PTR');
    expect([ptr6.rcode, ptr6.flag_aa, datas(ptr6)]).toEqual(['NOERROR', true, ['tv.lan']]);
  });

  it('answers NODATA (NOERROR, AA, no records, no SOA) for another type at a local name', async () => {
    for (const [name, type] of [['nas.home.arpa', 'MX'], ['media.lan', 'AAAA'], ['tv.lan', 'A'], ['20.1.168.192.in-addr.arpa', 'TXT']] as const) {
      const r = await q(name, type);
      expect([r.rcode, r.flag_aa, r.answers?.length ?? 0, r.authorities?.length ?? 0], `${name} ${type}`).toEqual(['NOERROR', true, 0, 0]);
    }
  });

  it('keeps the RFC 6303 and RFC 8375 answers for the other names of those zones', async () => {
    const other = await q('21.1.168.192.in-addr.arpa', 'PTR');
    expect([other.rcode, other.flag_aa, other.authorities![0]!.type, other.authorities![0]!.name]).toEqual(['NXDOMAIN', true, 'SOA', '168.192.in-addr.arpa']);
    expect((await q('printer.home.arpa')).rcode).toBe('NXDOMAIN');
    // above a local name: it exists, NODATA with the zone's SOA (RFC 8020), not NXDOMAIN
    const ent = await q('1.168.192.in-addr.arpa', 'PTR');
    expect([ent.rcode, ent.flag_aa, ent.answers?.length ?? 0, ent.authorities![0]!.name]).toEqual(['NOERROR', true, 0, '168.192.in-addr.arpa']);
    expect((await q(`1.${V6_PTR}`, 'PTR')).rcode).toBe('NXDOMAIN');
  });

  it('skips the malformed hosts line, logging it once with its file and line, and loads the rest', () => {
    const skipped = logs.filter((l) => l.event === 'hosts_line_skipped');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ line: 4 });
    expect(skipped[0]!.file).toMatch(/rootline-local-.*[/\\]hosts$/);
    expect(logs.find((l) => l.event === 'hosts_file_loaded')).toMatchObject({ entries: 2, skipped: 1 });
  });

  // Last: every query above was local, so nothing has gone upstream; a name below a local name does.
  it('never sends a local name upstream, while a name below one is resolved', async () => {
    expect(root.queries).toEqual([]);
    const below = await q('x.nas.home.arpa');
    expect([below.rcode, below.flag_aa]).toEqual(['NXDOMAIN', true]); // home.arpa, RFC 8375: still local
    expect(root.queries).toEqual([]);
    const lanBelow = await q('deep.media.lan');
    expect(lanBelow.flag_aa).toBe(false);
    expect(root.queries.map((x) => x.name.toLowerCase())).toContain('lan');
  });
});
