// The real server on loopback with `local-zones:` rules of each Unbound type from a config file, local data
// inside them, and a scripted root that records what reaches it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile, mergeConfig } from '../../src/config/load.js';
import { DEFAULTS } from '../../src/config/schema.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { ask, buildQuery, datas, edeOf, sendRaw } from '../helpers/client.js';
import { authoritative, rr } from '../helpers/fake-net.js';
import { freePortOn, serveOnLoopback, type LoopbackServer } from '../helpers/loopback-auth.js';

const ROOT = '127.8.2.1';

const CONFIG = `
local-zones:
  - "corp.example static"
  - "open.corp.example transparent"
  - "ads.example redirect"
  - "refused.example refuse"
  - "denied.example deny"
  - "home.arpa nodefault"
local-data:
  - "www.corp.example. A 192.0.2.1"
  - "ads.example. 60 A 0.0.0.0"
  - "ok.refused.example. A 192.0.2.2"
  - "ok.denied.example. A 192.0.2.3"
`;

describe('local-zones rules, served on loopback', () => {
  let root: LoopbackServer;
  let server: RunningServer;
  let port = 0;

  beforeAll(async () => {
    const upstreamPort = await freePortOn([ROOT]);
    root = await serveOnLoopback(ROOT, upstreamPort, authoritative('.', [rr.ns('.', 'a.root.lab'), rr.a('a.root.lab', ROOT)]));
    const dir = mkdtempSync(join(tmpdir(), 'rootline-lz-'));
    const hints = join(dir, 'named.root');
    writeFileSync(hints, `. 3600000 NS a.root.lab.\na.root.lab. 3600000 A ${ROOT}\n`);
    writeFileSync(join(dir, 'rootline.yaml'), CONFIG);
    const file = await loadConfigFile(join(dir, 'rootline.yaml'));
    const config = mergeConfig(DEFAULTS, file, { listen: ['127.0.0.1:0'], rootHints: hints, dnssecValidation: false, upstreamPort, upstreamTimeoutMs: 250, queryTimeoutMs: 2000, serveStale: false });
    server = await startServer(config, { logger: pino({ level: 'silent' }) });
    port = Number(server.addresses[0]!.split(':')[1]);
  });

  afterAll(async () => {
    await server.close();
    await root.close();
  });

  const q = (name: string, type = 'A') => ask('127.0.0.1', port, name, type, { edns: true });
  const upstreamNames = (): string[] => root.queries.map((x) => x.name.toLowerCase());

  it('static: local data answered, every other name NXDOMAIN with the SOA, nothing upstream', async () => {
    expect(datas(await q('www.corp.example'))).toEqual(['192.0.2.1']);
    const other = await q('other.corp.example');
    expect([other.rcode, other.flag_aa, other.authorities![0]!.type]).toEqual(['NXDOMAIN', true, 'SOA']);
    expect(upstreamNames().some((n) => n.endsWith('example'))).toBe(false);
  });

  it('redirect: every name below the zone gets the apex data, owned by the asked name', async () => {
    const r = await q('pixel.tracker.ads.example');
    expect([r.rcode, r.flag_aa, r.answers![0]!.name, datas(r)]).toEqual(['NOERROR', true, 'pixel.tracker.ads.example', ['0.0.0.0']]);
  });

  it('refuse: REFUSED with EDE 18 naming the zone, local data still answered', async () => {
    const r = await q('x.refused.example');
    expect([r.rcode, edeOf(r)]).toEqual(['REFUSED', { code: 18, text: 'local-zone refused.example. refuse' }]);
    expect(datas(await q('ok.refused.example'))).toEqual(['192.0.2.2']);
  });

  it('deny: no answer at all, local data still answered', async () => {
    expect(await sendRaw('127.0.0.1', port, buildQuery('x.denied.example', 'A'), { timeoutMs: 400 })).toBeNull();
    expect(datas(await q('ok.denied.example'))).toEqual(['192.0.2.3']);
  });

  it('transparent and nodefault: resolved as usual', async () => {
    await q('x.open.corp.example');
    await q('printer.home.arpa');
    expect(upstreamNames()).toEqual(expect.arrayContaining(['example', 'arpa']));
  });
});
