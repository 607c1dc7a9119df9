// The order of gates and stages, and each one's decision on hand-built contexts.
import { describe, expect, it } from 'vitest';
import { buildSteps, filtered, firstDecision, firstVerdict } from '../../../src/pipeline/stages.js';
import { createAcl } from '../../../src/policy/acl.js';
import { LocalData } from '../../../src/policy/local-data.js';
import { LocalZones } from '../../../src/policy/local-zones.js';
import { CONTINUE, DROP, REFUSE, type ClientInfo, type Gate, type GateDecision, type QueryContext, type ResultFilter, type Stage } from '../../../src/policy/stage.js';
import { NO_EDNS } from '../../../src/wire/edns.js';
import { Rcode } from '../../../src/wire/types.js';

const LOCAL: ClientInfo = { address: '127.0.0.1', port: 4000, transport: 'udp' };
const OUTSIDE: ClientInfo = { address: '203.0.113.9', port: 4000, transport: 'udp' };

function ctx(name: string, o: Partial<QueryContext> = {}): QueryContext {
  return { client: LOCAL, question: { name, type: 'A', class: 'IN' }, rd: true, cd: false, edns: NO_EDNS, ...o };
}

const LOCAL_DATA = new LocalData();
for (const rr of [
  { name: '10.1.168.192.in-addr.arpa', type: 'PTR', class: 'IN', ttl: 3600, data: 'nas.lan' },
  { name: 'nas.home.arpa', type: 'A', class: 'IN', ttl: 3600, data: '192.168.1.10' },
]) LOCAL_DATA.add(rr);
const steps = buildSteps({ acl: createAcl(['127.0.0.0/8']), localData: LOCAL_DATA, localZones: new LocalZones(true) });
const stage = (name: string): Stage => steps.stages.find((s) => s.name === name)!;

describe('the order', () => {
  it('is the ACL gate, then local data, local zones and the RD=0 rule', () => {
    expect(steps.gates.map((g) => g.name)).toEqual(['acl']);
    expect(steps.stages.map((s) => s.name)).toEqual(['local-data', 'local-zones', 'recursion-desired']);
  });

  it('lets local data override a locally served zone, whose other names keep their RFC 6303 NXDOMAIN', () => {
    const ptr = firstDecision(steps.stages, ctx('10.1.168.192.IN-ADDR.arpa', { question: { name: '10.1.168.192.IN-ADDR.arpa', type: 'PTR', class: 'IN' } }));
    expect(ptr.kind === 'answer' && ptr.resolution.answer.map((r) => `${r.name} ${String(r.data)}`)).toEqual(['10.1.168.192.IN-ADDR.arpa nas.lan']);
    // another type at that name: NODATA, not the zone's NXDOMAIN (the name exists)
    const other = firstDecision(steps.stages, ctx('10.1.168.192.in-addr.arpa', { question: { name: '10.1.168.192.in-addr.arpa', type: 'TXT', class: 'IN' } }));
    expect(other.kind === 'answer' && [other.resolution.rcode, other.resolution.answer.length]).toEqual([Rcode.NOERROR, 0]);
    for (const name of ['11.1.168.192.in-addr.arpa', 'x.10.1.168.192.in-addr.arpa', 'printer.home.arpa']) {
      const nx = firstDecision(steps.stages, ctx(name));
      expect(nx.kind === 'answer' && nx.resolution.rcode, name).toBe(Rcode.NXDOMAIN);
    }
    // a name above local data exists (an empty non-terminal, RFC 8020): NODATA with the zone's SOA, not NXDOMAIN
    for (const name of ['1.168.192.in-addr.arpa', '1.168.192.IN-ADDR.ARPA.']) {
      const ent = firstDecision(steps.stages, ctx(name, { question: { name, type: 'PTR', class: 'IN' } }));
      expect(ent.kind === 'answer' && [ent.resolution.rcode, ent.resolution.answer.length, ent.resolution.authority[0]!.name], name).toEqual([Rcode.NOERROR, 0, '168.192.in-addr.arpa']);
    }
    const nas = firstDecision(steps.stages, ctx('nas.home.arpa', { rd: false }));
    expect(nas.kind === 'answer' && nas.aa && nas.resolution.answer.map((r) => r.data)).toEqual(['192.168.1.10']);
  });

  it('answers local data even to RD=0, and refuses RD=0 for everything else', () => {
    const local = firstDecision(steps.stages, ctx('localhost', { rd: false }));
    expect(local.kind).toBe('answer');
    expect(firstDecision(steps.stages, ctx('www.example', { rd: false }))).toEqual({ kind: 'refuse', by: 'recursion-desired' });
    expect(firstDecision(steps.stages, ctx('www.example'))).toBe(CONTINUE);
  });

  it('takes the first verdict that is not continue, and returns the shared CONTINUE when every gate passes', () => {
    const seen: string[] = [];
    const gate = (name: string, verdict: GateDecision): Gate => ({ name, decide: () => (seen.push(name), verdict) });
    expect(firstVerdict([gate('a', { kind: 'continue' }), gate('b', DROP), gate('c', REFUSE)], LOCAL)).toBe(DROP);
    expect(seen).toEqual(['a', 'b']);
    expect(firstVerdict([gate('d', { kind: 'continue' })], LOCAL)).toBe(CONTINUE);
    expect(firstVerdict([], LOCAL)).toBe(CONTINUE);
  });
});

describe('each step', () => {
  it('acl: continue inside the allow-list, refuse (no EDE) outside it', () => {
    const acl = steps.gates[0]!;
    expect(acl.decide(LOCAL)).toBe(CONTINUE);
    expect(acl.decide({ ...LOCAL, address: '::ffff:127.0.0.9' })).toBe(CONTINUE);
    expect(acl.decide(OUTSIDE)).toEqual({ kind: 'refuse', by: 'acl' });
  });

  it('local-zones: an authoritative, cacheable answer for locally served names, continue for the rest', () => {
    const d = stage('local-zones').decide(ctx('a.localhost'));
    expect(d).toMatchObject({ kind: 'answer', aa: true, cacheable: true });
    if (d.kind !== 'answer') throw new Error('not an answer');
    expect(d.resolution.rcode).toBe(Rcode.NOERROR);
    expect(d.resolution.answer.map((r) => r.data)).toEqual(['127.0.0.1']);
    const nx = stage('local-zones').decide(ctx('2.168.192.in-addr.arpa'));
    expect(nx.kind === 'answer' && nx.resolution.rcode).toBe(Rcode.NXDOMAIN);
    expect(stage('local-zones').decide(ctx('www.example'))).toBe(CONTINUE);
    const off = buildSteps({ acl: createAcl([]), localData: new LocalData(), localZones: new LocalZones(false) });
    expect(off.stages.find((s) => s.name === 'local-zones')!.decide(ctx('localhost'))).toBe(CONTINUE);
  });

  it('recursion-desired: refuse RD=0 whoever asks, continue RD=1', () => {
    expect(stage('recursion-desired').decide(ctx('www.example', { rd: false }))).toEqual({ kind: 'refuse' });
    expect(stage('recursion-desired').decide(ctx('www.example', { rd: false, client: OUTSIDE }))).toEqual({ kind: 'refuse' });
    expect(stage('recursion-desired').decide(ctx('www.example'))).toBe(CONTINUE);
  });
});

describe('result filters', () => {
  const blocked = { rcode: Rcode.NOERROR, answer: [{ name: 'x.example', type: 'A', class: 'IN', ttl: 10, data: '0.0.0.0' }], authority: [] };
  const filter = (name: string, replaceWith: typeof blocked | null): ResultFilter => ({ name, filter: () => replaceWith });

  it('the first filter that replaces a result decides; the later ones do not see it', () => {
    const seen: string[] = [];
    const guard: ResultFilter = { name: 'rebinding-guard', filter: () => (seen.push('guard'), { ...blocked, answer: [] }) };
    const out = filtered([filter('pass', null), filter('cname-cloaking', blocked), guard], ctx('x.example'), { ...blocked, answer: [] });
    expect(out).toEqual({ result: blocked, replaced: true, by: 'cname-cloaking' });
    expect(seen).toEqual([]);
    expect(filtered([filter('pass', null)], ctx('x.example'), blocked)).toEqual({ result: blocked, replaced: false });
  });
});
