// The local-data lookup and stage: exact names, NODATA for other types, CNAMEs followed inside local data,
// names below going on, and the build rules (CNAME alone at its name, duplicates, one TTL per RRset).
import { describe, expect, it } from 'vitest';
import { LocalData, localDataStage, MAX_LOCAL_CHAIN } from '../../src/policy/local-data.js';
import { CONTINUE, type QueryContext } from '../../src/policy/stage.js';
import { NO_EDNS } from '../../src/wire/edns.js';
import { parseRecordText } from '../../src/wire/record-text.js';
import { Rcode, type RR } from '../../src/wire/types.js';

const rec = (text: string): RR => {
  const r = parseRecordText(text);
  if (!r.ok) throw new Error(r.reason);
  return r.rr;
};
function dataOf(lines: string[]): LocalData {
  const d = new LocalData();
  for (const l of lines) {
    const added = d.add(rec(l));
    if (!added.ok) throw new Error(added.reason);
  }
  return d;
}
const q = (name: string, type = 'A') => ({ name, type, class: 'IN' });
const shown = (rrs: RR[] | undefined): string[] => (rrs ?? []).map((r) => `${r.name} ${r.type} ${typeof r.data === 'object' && !Array.isArray(r.data) ? JSON.stringify(r.data) : String(r.data)}`);

const DATA = dataOf([
  'nas.lan 300 A 192.168.1.10',
  'nas.lan A 192.168.1.11',
  'nas.lan AAAA fd00::10',
  'www.lan CNAME nas.lan.',
  'alias.www.lan CNAME www.lan',
  'ext.lan CNAME example.com',
  'lan. TXT "hello world"',
  'lan. MX 10 mail.lan.',
  '_http._tcp.lan. SRV 0 5 80 nas.lan.',
  '10.1.168.192.in-addr.arpa. PTR nas.lan.',
  'sub.lan. NS ns.lan.',
  'loop1.lan CNAME loop2.lan',
  'loop2.lan CNAME loop1.lan',
]);

describe('local data', () => {
  it('answers the records of the asked type at an exact name, in any letter case, owner written as asked', () => {
    const r = DATA.answer(q('NAS.Lan'))!;
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(shown(r.answer)).toEqual(['NAS.Lan A 192.168.1.10', 'NAS.Lan A 192.168.1.11']);
    // one RRset, one TTL: the lowest given (RFC 2181 §5.2)
    expect(r.answer.map((a) => a.ttl)).toEqual([300, 300]);
    expect(shown(DATA.answer(q('nas.lan.', 'AAAA'))!.answer)).toEqual(['nas.lan. AAAA fd00::10']);
    expect(shown(DATA.answer(q('lan', 'MX'))!.answer)).toEqual(['lan MX {"preference":10,"exchange":"mail.lan"}']);
    expect(DATA.answer(q('lan', 'TXT'))!.answer[0]!.data).toEqual([Buffer.from('hello world')]);
    expect(shown(DATA.answer(q('_http._tcp.lan', 'SRV'))!.answer)).toEqual(['_http._tcp.lan SRV {"priority":0,"weight":5,"port":80,"target":"nas.lan"}']);
    expect(shown(DATA.answer(q('10.1.168.192.in-addr.arpa', 'PTR'))!.answer)).toEqual(['10.1.168.192.in-addr.arpa PTR nas.lan']);
    expect(shown(DATA.answer(q('sub.lan', 'NS'))!.answer)).toEqual(['sub.lan NS ns.lan']);
  });

  it('answers NODATA (NOERROR, no records, no SOA) for another type at a name that has data', () => {
    for (const [name, type] of [['nas.lan', 'MX'], ['lan', 'A'], ['10.1.168.192.in-addr.arpa', 'A'], ['sub.lan', 'A'], ['nas.lan', 'CNAME']] as const) {
      expect(DATA.answer(q(name, type)), `${name} ${type}`).toEqual({ rcode: Rcode.NOERROR, answer: [], authority: [] });
    }
  });

  it('answers every RRset at the name to ANY', () => {
    expect(shown(DATA.answer(q('nas.lan', 'ANY'))!.answer)).toEqual(['nas.lan A 192.168.1.10', 'nas.lan A 192.168.1.11', 'nas.lan AAAA fd00::10']);
  });

  it('answers any type at a CNAME with the CNAME, followed through local data', () => {
    expect(shown(DATA.answer(q('WWW.lan'))!.answer)).toEqual(['WWW.lan CNAME nas.lan', 'nas.lan A 192.168.1.10', 'nas.lan A 192.168.1.11']);
    expect(shown(DATA.answer(q('alias.www.lan', 'AAAA'))!.answer)).toEqual(['alias.www.lan CNAME www.lan', 'www.lan CNAME nas.lan', 'nas.lan AAAA fd00::10']);
    // the target has no such type: the CNAME alone, NOERROR
    expect(shown(DATA.answer(q('www.lan', 'TXT'))!.answer)).toEqual(['www.lan CNAME nas.lan']);
    // asked for the CNAME itself: not followed
    expect(shown(DATA.answer(q('www.lan', 'CNAME'))!.answer)).toEqual(['www.lan CNAME nas.lan']);
    // a target outside local data: the CNAME alone, the client follows it
    expect(shown(DATA.answer(q('ext.lan'))!.answer)).toEqual(['ext.lan CNAME example.com']);
    // a loop stops where it closes
    expect(shown(DATA.answer(q('loop1.lan'))!.answer)).toEqual(['loop1.lan CNAME loop2.lan', 'loop2.lan CNAME loop1.lan']);
  });

  it('stops a long chain after MAX_LOCAL_CHAIN links', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `c${i}.lan CNAME c${i + 1}.lan`);
    const d = dataOf(lines);
    expect(d.answer(q('c0.lan'))!.answer).toHaveLength(MAX_LOCAL_CHAIN + 1);
  });

  it('has no opinion on names below, above or beside a local name', () => {
    for (const name of ['x.nas.lan', 'www.sub.lan', 'home.lan', 'nas.lan.example', '1.168.192.in-addr.arpa', 'x.10.1.168.192.in-addr.arpa', '.']) {
      expect(DATA.answer(q(name)), name).toBeNull();
    }
  });

  it('knows which names have local names below them (empty non-terminals), canonical names only', () => {
    for (const name of ['lan', '1.168.192.in-addr.arpa', '168.192.in-addr.arpa', 'arpa', 'www.lan', '_tcp.lan']) expect(DATA.hasNamesBelow(name), name).toBe(true);
    for (const name of ['nas.lan', 'x.nas.lan', '.', 'example', '2.168.192.in-addr.arpa']) expect(DATA.hasNamesBelow(name), name).toBe(false);
  });

  it('keeps a CNAME alone at its name, and ignores a record it already holds', () => {
    const d = dataOf(['a.lan A 10.0.0.1', 'c.lan CNAME a.lan']);
    const withCname = d.add(rec('a.lan CNAME b.lan'));
    expect(withCname.ok ? 'ok' : withCname.reason).toMatch(/a\.lan already has other data, so it cannot have a CNAME/);
    const nextToCname = d.add(rec('C.lan TXT x'));
    expect(nextToCname.ok ? 'ok' : nextToCname.reason).toMatch(/c\.lan already has a CNAME/);
    expect(d.add(rec('c.lan CNAME a.lan'))).toEqual({ ok: true, added: false });
    expect(d.add(rec('A.LAN 60 A 10.0.0.1'))).toEqual({ ok: true, added: false });
    expect(d.recordCount).toBe(2);
    expect(d.nameCount).toBe(2);
    // generated records give way to configured ones
    expect(d.addIfAbsent(rec('a.lan A 10.0.0.9'))).toEqual({ ok: true, added: false });
    expect(d.addIfAbsent(rec('c.lan A 10.0.0.9'))).toEqual({ ok: true, added: false });
    expect(d.addIfAbsent(rec('a.lan AAAA fd00::1'))).toEqual({ ok: true, added: true });
  });
});

describe('the local-data stage', () => {
  const stage = localDataStage(DATA);
  const ctx = (name: string, type = 'A'): QueryContext => ({ client: { address: '127.0.0.1', port: 1, transport: 'udp' }, question: q(name, type), rd: true, cd: false, edns: NO_EDNS });

  it('answers local names authoritatively and cacheably, and lets every other name through', () => {
    const d = stage.decide(ctx('nas.lan'));
    expect(d.kind === 'answer' && d.aa && d.cacheable).toBe(true);
    expect(stage.decide(ctx('nas.lan', 'MX')).kind).toBe('answer');
    expect(stage.decide(ctx('x.nas.lan'))).toBe(CONTINUE);
    expect(stage.decide(ctx('www.example.com'))).toBe(CONTINUE);
    expect(stage.name).toBe('local-data');
  });
});
