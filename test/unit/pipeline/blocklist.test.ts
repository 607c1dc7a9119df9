// The blocklist stage and its CNAME-cloaking filter in the pipeline, on real list files and real packets.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Blocklist, type BlockMode } from '../../../src/policy/blocklist.js';
import { loadBlocklists } from '../../../src/policy/blocklist-load.js';
import { authoritative, rr } from '../../helpers/fake-net.js';
import { ednsOpt, makePipeline, query, type TestPipeline } from '../../helpers/pipeline.js';
import { edeOf } from '../../helpers/client.js';

const ROOT = '127.2.0.1';
const EXAMPLE = '127.2.1.1';

function listFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'rootline-bl-')), 'ads.txt');
  writeFileSync(path, text);
  return path;
}

const LIST = ['# test list', '0.0.0.0 ads.example', '||tracker.example^', 'metrics.example', '@@||ok.ads.example^', 'bad line here'].join('\n');

async function setUp(mode: BlockMode = 'null-ip', allowlist: string[] = []): Promise<{ t: TestPipeline; path: string; blocked: () => number }> {
  const path = listFile(LIST);
  let blocked = 0;
  const blocklist = new Blocklist(await loadBlocklists([path], allowlist), mode, () => blocked++);
  const t = makePipeline(ROOT, { blocklist });
  t.net.on(ROOT, authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('example', 'ns.example'), rr.a('ns.example', EXAMPLE)]));
  t.net.on(
    EXAMPLE,
    authoritative('example', [
      rr.ns('example', 'ns.example'),
      rr.a('www.example', '192.0.2.1'),
      rr.a('ok.ads.example', '192.0.2.2'),
      rr.cname('shop.example', 'cdn.tracker.example'),
      rr.a('cdn.tracker.example', '192.0.2.3'),
    ]),
  );
  return { t, path, blocked: () => blocked };
}

const withEdns = (name: string, type = 'A') => query(name, type, { additionals: [ednsOpt()] });

describe('blocklist stage', () => {
  it('answers a blocked name and the names below it with 0.0.0.0 / :: and EDE 15 naming list, line and rule, without asking upstream', async () => {
    const { t, path } = await setUp();
    const a = (await t.ask(withEdns('x.ads.example')))!;
    expect(a.rcode).toBe('NOERROR');
    expect(a.answers?.map((r) => [r.type, (r as { data: string }).data, (r as { ttl: number }).ttl])).toEqual([['A', '0.0.0.0', 10]]);
    expect(edeOf(a)).toEqual({ code: 15, text: `blocked by ${path} line 2: ads.example` });
    const aaaa = (await t.ask(withEdns('tracker.example', 'AAAA')))!;
    expect(aaaa.answers?.map((r) => (r as { data: string }).data)).toEqual(['::']);
    const mx = (await t.ask(withEdns('metrics.example', 'MX')))!;
    expect([mx.rcode, mx.answers?.length]).toEqual(['NOERROR', 0]);
    expect(t.net.log.filter((l) => l.to === EXAMPLE)).toEqual([]);
  });

  it('lets names through that are not listed, and allowlisted ones (@@ rules and the config allowlist)', async () => {
    const { t } = await setUp('null-ip', ['metrics.example']);
    expect((await t.ask(withEdns('www.example')))!.answers?.map((r) => (r as { data: string }).data)).toEqual(['192.0.2.1']);
    expect((await t.ask(withEdns('ok.ads.example')))!.answers?.map((r) => (r as { data: string }).data)).toEqual(['192.0.2.2']);
    const allowed = (await t.ask(withEdns('metrics.example')))!;
    expect(edeOf(allowed)?.code).not.toBe(15);
  });

  it.each([
    ['nxdomain', 'NXDOMAIN'],
    ['nodata', 'NOERROR'],
    ['refuse', 'REFUSED'],
  ] as const)('mode %s answers %s with EDE 15', async (mode, rcode) => {
    const { t } = await setUp(mode);
    const r = (await t.ask(withEdns('ads.example')))!;
    expect(r.rcode).toBe(rcode);
    expect(r.answers ?? []).toEqual([]);
    expect(edeOf(r)?.code).toBe(15);
  });

  it('blocks an answer whose CNAME chain leads to a blocked name (CNAME cloaking), and keeps it out of the answer cache', async () => {
    const { t, blocked } = await setUp();
    const r = (await t.ask(withEdns('shop.example')))!;
    expect(r.answers?.map((x) => [x.type, (x as { data: string }).data])).toEqual([['A', '0.0.0.0']]);
    expect(edeOf(r)?.text).toMatch(/line 3: tracker\.example \(CNAME target cdn\.tracker\.example\)/);
    await t.ask(withEdns('shop.example'));
    expect(blocked()).toBe(2);
    expect(t.pipeline.counters.answerCacheHits).toBe(0);
  });

  it('counts every blocked query: blocked answers are never served from the answer cache', async () => {
    const { t, blocked } = await setUp();
    for (let i = 0; i < 3; i++) await t.ask(withEdns('ads.example'));
    expect(blocked()).toBe(3);
    expect(t.pipeline.counters.answerCacheHits).toBe(0);
  });

  it('skips and counts malformed lines; the file still loads', async () => {
    const lists = await loadBlocklists([listFile(LIST)], []);
    expect(lists.stats[0]).toMatchObject({ rules: 3, bad: 1, firstBad: { line: 6 } });
    expect(lists.blocked.size).toBe(3);
    expect(lists.allowed.size).toBe(1);
  });

  it('a missing list file is an error naming it', async () => {
    await expect(loadBlocklists(['/nonexistent/list.txt'], [])).rejects.toThrow(/cannot read blocklist \/nonexistent\/list\.txt: ENOENT/);
  });

  it('RD=0 queries for blocked names are answered as blocked too', async () => {
    const { t } = await setUp();
    const r = (await t.ask(query('ads.example', 'A', { flags: 0, additionals: [ednsOpt()] })))!;
    expect(r.rcode).toBe('NOERROR');
    expect(edeOf(r)?.code).toBe(15);
  });
});
