// The query log names the policy step that decided each answer, refusal or drop, with its EDE.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createAcl } from '../../../src/policy/acl.js';
import { Blocklist } from '../../../src/policy/blocklist.js';
import { loadBlocklists } from '../../../src/policy/blocklist-load.js';
import { LocalData } from '../../../src/policy/local-data.js';
import { LocalZones } from '../../../src/policy/local-zones.js';
import { parseRecordText } from '../../../src/wire/record-text.js';
import { authoritative, rr } from '../../helpers/fake-net.js';
import { makePipeline, query } from '../../helpers/pipeline.js';

const ROOT = '127.2.0.1';

interface Line {
  event: string;
  name: string;
  rcode: number | string;
  policy?: string;
  ede?: string;
}

async function setUp() {
  const lines: Line[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (c: Buffer, _e, done) => (lines.push(JSON.parse(String(c)) as Line), done()) }));
  const list = join(mkdtempSync(join(tmpdir(), 'rootline-ql-')), 'ads.txt');
  writeFileSync(list, '0.0.0.0 ads.example\n');
  const localData = new LocalData();
  const parsed = parseRecordText('nas.lan. A 192.168.1.10');
  if (parsed.ok) localData.add(parsed.rr);
  const t = makePipeline(ROOT, {
    logger,
    localData,
    acl: createAcl(['127.0.0.0/8']),
    blocklist: new Blocklist(await loadBlocklists([list], []), 'nxdomain', () => {}),
    localZones: new LocalZones([{ name: 'denied.example', type: 'deny' }]),
  });
  t.net.on(ROOT, authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT)]));
  return { t, lines: () => lines.filter((l) => l.event === 'query') };
}

describe('the query log', () => {
  it('names the stage, gate or filter that decided, and its EDE', async () => {
    const { t, lines } = await setUp();
    await t.ask(query('nas.lan'));
    await t.ask(query('x.ads.example'));
    await t.ask(query('x.denied.example'));
    await t.ask(query('nas.lan'), { address: '203.0.113.9', port: 5000, transport: 'udp' });
    await t.ask(query('www.example'));
    const byName = lines().map((l) => [l.name, l.rcode, l.policy, l.ede?.slice(0, 2)]);
    expect(byName).toEqual([
      ['nas.lan', 0, 'local-data', undefined],
      ['x.ads.example', 3, 'blocklist', '15'],
      ['x.denied.example', 'dropped', 'local-zones', undefined],
      ['nas.lan', 5, 'acl', undefined],
      ['www.example', 3, undefined, undefined],
    ]);
  });
});
