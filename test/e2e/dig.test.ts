// End to end: the built `rootline` binary, queried with real `dig`, resolving through real NSD servers on
// 127.77.x.x:53 — and compared answer for answer with Unbound resolving the same hierarchy.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHierarchy, type Hierarchy } from '../../scripts/lib/hierarchy.mjs';
import { dig, e2eGate, normalise, startChild, startUnbound, stopChild, ttlOf, waitForAnswer } from './tools.js';

const ROOTLINE_PORT = 5331;
const UNBOUND_PORT = 5332;
const CAPPED_PORT = 5333;
const run = e2eGate('dig against NSD');

describe.skipIf(!run)('e2e: rootline binary + dig + NSD (+ Unbound for comparison)', () => {
  let hierarchy: Hierarchy;
  let rootline: ChildProcess;
  let unbound: ChildProcess;
  let dir = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rootline-e2e-'));
    hierarchy = await startHierarchy({ workDir: join(dir, 'lab'), domains: 30, port: 53, prefix: '127.77' });
    rootline = startChild(process.execPath, ['dist/cli.js', 'serve', '--listen', `127.0.0.1:${ROOTLINE_PORT}`, '--root-hints', hierarchy.rootHintsPath, '--no-dnssec-validation', '--log-level', 'warn']);
    unbound = startUnbound(join(dir, 'unbound'), UNBOUND_PORT, hierarchy.rootHintsPath);
    await Promise.all([waitForAnswer('127.0.0.1', ROOTLINE_PORT, rootline, 'rootline'), waitForAnswer('127.0.0.1', UNBOUND_PORT, unbound, 'unbound')]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([stopChild(rootline), stopChild(unbound)]);
    await hierarchy?.stop();
  });

  it('answers the same as Unbound for every interesting name (rcode, answer, authority SOA; TTLs and A order aside)', () => {
    const names = [...hierarchy.names.all, ...hierarchy.names.a.slice(0, 10).map((name) => ({ name, type: 'A', expect: 'NOERROR' as const }))];
    const differences: string[] = [];
    for (const { name, type, expect: expected } of names) {
      const ours = dig(ROOTLINE_PORT, name, type);
      const theirs = dig(UNBOUND_PORT, name, type);
      const shape = (r: ReturnType<typeof dig>) => ({
        status: r.status,
        answer: r.answer.map(normalise).sort(),
        soa: r.authority.filter((l) => /\sSOA\s/.test(l)).map(normalise),
      });
      if (JSON.stringify(shape(ours)) !== JSON.stringify(shape(theirs))) {
        differences.push(`${name} ${type}:\n  rootline: ${JSON.stringify(shape(ours))}\n  unbound:  ${JSON.stringify(shape(theirs))}`);
      }
      const wanted = expected === 'NODATA' ? 'NOERROR' : expected;
      expect(ours.status, `${name} ${type}`).toBe(wanted);
      if (expected === 'NODATA') expect(ours.answer, `${name} ${type}`).toEqual([]);
    }
    expect(differences.join('\n')).toBe('');
  });

  it('answers over TCP (+tcp) exactly as over UDP', () => {
    for (const [name, type] of [['www.example.com', 'AAAA'], ['start.example.com', 'A'], ['nope.example.com', 'A']] as const) {
      const udp = dig(ROOTLINE_PORT, name, type);
      const tcp = dig(ROOTLINE_PORT, name, type, ['+tcp']);
      expect(tcp.status).toBe(udp.status);
      expect(tcp.answer.map(normalise)).toEqual(udp.answer.map(normalise));
    }
  });

  it('returns NXDOMAIN and NODATA with the zone SOA in the authority section', () => {
    const nx = dig(ROOTLINE_PORT, 'nope.example.com', 'A');
    expect(nx.status).toBe('NXDOMAIN');
    expect(nx.authority.map(normalise)).toEqual(['example.com. in soa ns1.example.com. hostmaster.example.com. 2026112501 7200 900 1209600 300']);
    const nodata = dig(ROOTLINE_PORT, 'www.example.com', 'MX');
    expect(nodata.status).toBe('NOERROR');
    expect(nodata.answer).toEqual([]);
    expect(nodata.authority.some((l) => /\sSOA\s/.test(l))).toBe(true);
  });

  it('returns a whole CNAME chain across zones and TLDs, and DNAME synthesis', () => {
    expect(dig(ROOTLINE_PORT, 'start.example.com', 'A').answer.map(normalise)).toEqual([
      'start.example.com. in cname hop.example.net.',
      'hop.example.net. in cname end.example.org.',
      'end.example.org. in a 203.0.113.7',
    ]);
    expect(dig(ROOTLINE_PORT, 'x.old.example.com', 'A').answer.map(normalise)).toEqual([
      'old.example.com. in dname example.net.',
      'x.old.example.com. in cname x.example.net.',
      'x.example.net. in a 198.51.100.10',
    ]);
  });

  it('truncates a big answer over UDP (TC) and gives all of it over TCP', () => {
    const udp = dig(ROOTLINE_PORT, 'big.example.com', 'TXT', ['+noedns', '+ignore']);
    expect(udp.flags).toContain('tc');
    expect(dig(ROOTLINE_PORT, 'big.example.com', 'TXT', ['+tcp']).answer).toHaveLength(40);
    expect(dig(ROOTLINE_PORT, 'big.example.com', 'TXT').answer).toHaveLength(40); // dig retries over TCP itself
  });

  it('rotates A records round-robin on successive queries', () => {
    const firsts = Array.from({ length: 4 }, () => dig(ROOTLINE_PORT, 'pool.example.com', 'A').answer[0]!.split(/\s+/).pop());
    expect(new Set(firsts).size).toBe(4);
    const all = dig(ROOTLINE_PORT, 'pool.example.com', 'A').answer.map((l) => l.split(/\s+/).pop()).sort();
    expect(all).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4']);
  });

  it('counts TTLs down on cache hits', async () => {
    const first = ttlOf(dig(ROOTLINE_PORT, 'www.d3.com', 'A').answer[0]!);
    await new Promise((r) => setTimeout(r, 2100));
    const second = ttlOf(dig(ROOTLINE_PORT, 'www.d3.com', 'A').answer[0]!);
    expect(second).toBeLessThanOrEqual(first - 2);
  });

  it('caps negative TTLs at max-negative-ttl, first answer and cached (the zone SOA MINIMUM is 300)', async () => {
    const config = join(dir, 'capped.yaml');
    writeFileSync(config, 'max-negative-ttl: 60\n');
    const capped = startChild(process.execPath, ['dist/cli.js', 'serve', '--config', config, '--listen', `127.0.0.1:${CAPPED_PORT}`, '--root-hints', hierarchy.rootHintsPath, '--no-dnssec-validation', '--log-level', 'warn']);
    try {
      await waitForAnswer('127.0.0.1', CAPPED_PORT, capped, 'rootline (max-negative-ttl 60)');
      const soaTtls = (r: ReturnType<typeof dig>): number[] => r.authority.filter((l) => /\sSOA\s/.test(l)).map(ttlOf);
      for (const [name, type] of [['nope.example.com', 'A'], ['www.example.com', 'MX']] as const) {
        const first = dig(CAPPED_PORT, name, type);
        const cached = dig(CAPPED_PORT, name, type);
        expect(soaTtls(first), `${name} ${type} first`).toEqual([60]);
        expect(soaTtls(cached)[0], `${name} ${type} cached`).toBeLessThanOrEqual(60);
      }
    } finally {
      await stopChild(capped);
    }
  });

  it('shows the root → TLD → authoritative walk with `rootline query --trace`', () => {
    const out = execFileSync(process.execPath, ['dist/cli.js', 'query', 'www.glueless.org', 'A', '--trace', '--root-hints', hierarchy.rootHintsPath, '--no-dnssec-validation'], { encoding: 'utf8' });
    expect(out).toMatch(/^\. @127\.77\.0\.\d .*referral to org\./m);
    expect(out).toMatch(/^org\. @127\.77\.1\.3 .*referral to glueless\.org\./m);
    expect(out).toMatch(/glueless delegation of glueless\.org\.: resolving ns\.glue\.example\.net\./);
    expect(out).toMatch(/www\.glueless\.org\.\s+\d+\s+IN\s+A\s+203\.0\.113\.99/);
  });
});
