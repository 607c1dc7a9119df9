// End to end, DNSSEC (issue 9): a hierarchy signed at test time by Debian's ldns tools (not our signer), served by
// NSD on 127.97.x.x:53; the built `rootline serve` with the generated root DS as its only trust anchor, queried
// with dig; Unbound with the same anchor beside it as a second opinion. Every case asserts rcode, AD and the EDE,
// and a repeat query shows what the cache kept (a secure answer stays secure, bogus stays SERVFAIL without asking
// the servers again, CD=1 still gets the data).
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultWindow, forgeA, startSignedHierarchy, stripDnskeys, stripRrsig, type ZoneSpec } from '../../scripts/lib/signed-hierarchy.mjs';
import { digEde } from '../helpers/lab-expectations.js';
import { digAsync, e2eGate, startChild, startUnbound, stopChild, waitForAnswer, type DigResult } from './tools.js';

const execFileAsync = promisify(execFile);
const ROOTLINE_PORT = 5361;
const UNBOUND_PORT = 5362;
const P = '127.97';
const ROOT = `${P}.0.1`;
const TLD = { rsa: `${P}.1.1`, ecdsa: `${P}.1.2`, ed25519: `${P}.1.3`, sec: `${P}.1.4` };
const SLD = `${P}.2.1`;
const GRANDCHILD = `${P}.3.1`;
const hasLdns = await execFileAsync('ldns-signzone', ['-v']).then(
  () => true,
  () => false,
);
const run = e2eGate('DNSSEC: ldns-signed hierarchy on NSD', ['nsd', 'unbound', 'dig']);
if (run && !hasLdns) {
  const message = "end-to-end suite 'DNSSEC' cannot run; missing: ldns-signzone (Debian package ldnsutils)";
  if (process.env.ROOTLINE_E2E === 'required') throw new Error(`${message} (ROOTLINE_E2E=required)`);
  console.warn(`\n!!! SKIPPED: ${message}.\n`);
}

const now = Math.floor(Date.now() / 1000);
const DAY = 86_400;
const hosts = (name: string) => [`www A 192.0.2.1`, `www AAAA 2001:db8::1`, `@ MX 10 mail.${name}.`, `mail A 192.0.2.25`, '*.wild TXT "from the wildcard"'];

/** The hierarchy: whole chains per algorithm (rsa., ecdsa., ed25519.), and under sec. one zone per case. */
function specs(): ZoneSpec[] {
  const sld = (name: string, extra: Partial<ZoneSpec> = {}, records: string[] = []): ZoneSpec => ({ name, server: SLD, algorithm: 'ECDSAP256SHA256', window: defaultWindow(now), records: [...hosts(name), ...records], ...extra });
  return [
    // The root as the real one: RSASHA256 with a KSK and a ZSK.
    { name: '.', server: ROOT, algorithm: 'RSASHA256', splitKeys: true },
    { name: 'rsa', server: TLD.rsa, algorithm: 'RSASHA256', splitKeys: true },
    { name: 'ecdsa', server: TLD.ecdsa, algorithm: 'ECDSAP256SHA256', denial: { nsec3: true, iterations: 0 } },
    { name: 'ed25519', server: TLD.ed25519, algorithm: 'ED25519' },
    { name: 'sec', server: TLD.sec, algorithm: 'ECDSAP256SHA256' },
    sld('example.rsa', { algorithm: 'RSASHA256' }),
    sld('example.ecdsa', { denial: { nsec3: true, iterations: 0 } }),
    sld('example.ed25519', { algorithm: 'ED25519' }),
    sld('p384.sec', { algorithm: 'ECDSAP384SHA384' }),
    sld('ed448.sec', { algorithm: 'ED448' }),
    sld('rsasha512.sec', { algorithm: 'RSASHA512' }),
    // Denials: NSEC, NSEC3 with salt and iterations, NSEC3 opt-out with an unsigned and a signed child.
    sld('nsec.sec', {}, ['cname CNAME www.unsigned.sec.', 'alias CNAME www']),
    sld('nsec3.sec', { denial: { nsec3: true, iterations: 5, salt: 'aabbccdd' } }),
    sld('optout.sec', { denial: { nsec3: true, iterations: 0, optOut: true } }),
    { name: 'unsigned-child.optout.sec', server: GRANDCHILD, algorithm: null, records: ['www A 192.0.2.7'] },
    { name: 'signed-child.optout.sec', server: GRANDCHILD, algorithm: 'ED25519', records: ['www A 192.0.2.8'] },
    sld('iterations.sec', { denial: { nsec3: true, iterations: 200 } }),
    // Broken chains.
    // Ten days out: beyond Unbound's clock-skew allowance (10% of the validity period, at most a day).
    sld('expired.sec', { window: { inception: now - 40 * DAY, expiration: now - 10 * DAY } }),
    sld('future.sec', { window: { inception: now + 10 * DAY, expiration: now + 40 * DAY } }),
    sld('wrong-ds.sec', { ds: 'other-key' }),
    sld('nosig.sec', { tamper: stripRrsig('www.nosig.sec.', 'A') }),
    sld('nokey.sec', { tamper: stripDnskeys('nokey.sec.') }),
    sld('forged.sec', { tamper: forgeA('www.forged.sec.', '192.0.2.1', '192.0.2.66') }),
    // Insecure: DS with algorithms or digests nobody validates, a zone signed with RSAMD5 (RFC 8624: must not
    // validate), an island of security (signed, no DS at its signed parent), an unsigned zone.
    sld('alg253.sec', { ds: { algorithm: 253 } }),
    sld('digest253.sec', { ds: { digestType: 253 } }),
    sld('rsamd5.sec', { algorithm: 'RSAMD5' }),
    sld('island.sec', { ds: 'none' }),
    { name: 'unsigned.sec', server: SLD, algorithm: null, records: ['www A 192.0.2.9'] },
  ];
}

interface Case {
  name: string;
  type: string;
  status: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL';
  ad: boolean;
  /** The EDE rootline gives; undefined: none. */
  ede?: number;
  /** The answer's record types, in order (RRSIGs left out). */
  answer?: string[];
  /** For bogus cases: what +cd hands over (the answer's last rdata). */
  cdData?: string;
  why: string;
}

const cases: Case[] = [
  { name: 'www.example.rsa', type: 'A', status: 'NOERROR', ad: true, answer: ['A'], why: 'RSASHA256 chain, KSK/ZSK split, root to leaf' },
  { name: 'www.example.ecdsa', type: 'AAAA', status: 'NOERROR', ad: true, answer: ['AAAA'], why: 'ECDSAP256SHA256 chain, NSEC3 TLD' },
  { name: 'www.example.ed25519', type: 'A', status: 'NOERROR', ad: true, answer: ['A'], why: 'ED25519 chain' },
  { name: 'www.p384.sec', type: 'A', status: 'NOERROR', ad: true, answer: ['A'], why: 'ECDSAP384SHA384' },
  { name: 'www.ed448.sec', type: 'A', status: 'NOERROR', ad: true, answer: ['A'], why: 'ED448' },
  { name: 'www.rsasha512.sec', type: 'A', status: 'NOERROR', ad: true, answer: ['A'], why: 'RSASHA512' },
  { name: 'example.rsa', type: 'MX', status: 'NOERROR', ad: true, answer: ['MX'], why: 'apex data' },
  { name: 'example.ed25519', type: 'DNSKEY', status: 'NOERROR', ad: true, answer: ['DNSKEY'], why: 'the DNSKEY RRset itself' },
  // NSEC
  { name: 'nope.nsec.sec', type: 'A', status: 'NXDOMAIN', ad: true, answer: [], why: 'NSEC NXDOMAIN (name and wildcard covered)' },
  { name: 'www.nsec.sec', type: 'TXT', status: 'NOERROR', ad: true, answer: [], why: 'NSEC NODATA' },
  { name: 'a.wild.nsec.sec', type: 'TXT', status: 'NOERROR', ad: true, answer: ['TXT'], why: 'NSEC wildcard expansion (NSEC proves no closer match)' },
  { name: 'a.wild.nsec.sec', type: 'A', status: 'NOERROR', ad: true, answer: [], why: 'NSEC wildcard NODATA' },
  { name: 'alias.nsec.sec', type: 'A', status: 'NOERROR', ad: true, answer: ['CNAME', 'A'], why: 'CNAME inside a signed zone' },
  // NSEC3
  { name: 'nope.nsec3.sec', type: 'A', status: 'NXDOMAIN', ad: true, answer: [], why: 'NSEC3 NXDOMAIN: closest encloser, next closer, wildcard' },
  { name: 'www.nsec3.sec', type: 'TXT', status: 'NOERROR', ad: true, answer: [], why: 'NSEC3 NODATA' },
  { name: 'a.b.wild.nsec3.sec', type: 'TXT', status: 'NOERROR', ad: true, answer: ['TXT'], why: 'NSEC3 wildcard expansion two labels deep' },
  { name: 'a.wild.nsec3.sec', type: 'MX', status: 'NOERROR', ad: true, answer: [], why: 'NSEC3 wildcard NODATA' },
  { name: 'nope.example.ecdsa', type: 'A', status: 'NXDOMAIN', ad: true, answer: [], why: 'NSEC3 NXDOMAIN, zero iterations, no salt' },
  // NSEC3 opt-out
  { name: 'www.unsigned-child.optout.sec', type: 'A', status: 'NOERROR', ad: false, answer: ['A'], why: 'opt-out covers the unsigned delegation: insecure' },
  { name: 'www.signed-child.optout.sec', type: 'A', status: 'NOERROR', ad: true, answer: ['A'], why: 'signed child of an opt-out zone, DS present' },
  { name: 'www.optout.sec', type: 'A', status: 'NOERROR', ad: true, answer: ['A'], why: 'data in the opt-out zone itself' },
  { name: 'www.optout.sec', type: 'TXT', status: 'NOERROR', ad: true, answer: [], why: 'NODATA with a matching NSEC3 in an opt-out zone' },
  // RFC 9276: more than 150 iterations makes the zone's denials insecure; positive answers stay secure.
  { name: 'www.iterations.sec', type: 'A', status: 'NOERROR', ad: true, answer: ['A'], why: 'positive answer in a 200-iteration NSEC3 zone' },
  { name: 'nope.iterations.sec', type: 'A', status: 'NXDOMAIN', ad: false, ede: 27, answer: [], why: 'NXDOMAIN proven by 200-iteration NSEC3: insecure (RFC 9276)' },
  // Bogus
  { name: 'www.expired.sec', type: 'A', status: 'SERVFAIL', ad: false, ede: 7, cdData: '192.0.2.1', why: 'signatures expired (ldns-signzone -e in the past)' },
  { name: 'www.future.sec', type: 'A', status: 'SERVFAIL', ad: false, ede: 8, cdData: '192.0.2.1', why: 'signatures not yet valid (-i in the future)' },
  { name: 'www.wrong-ds.sec', type: 'A', status: 'SERVFAIL', ad: false, ede: 9, cdData: '192.0.2.1', why: 'the DS matches no key the zone publishes' },
  { name: 'www.nosig.sec', type: 'A', status: 'SERVFAIL', ad: false, ede: 10, cdData: '192.0.2.1', why: 'the RRSIG over www A stripped' },
  { name: 'www.nosig.sec', type: 'AAAA', status: 'NOERROR', ad: true, answer: ['AAAA'], why: 'the rest of the stripped zone is still secure' },
  { name: 'www.nokey.sec', type: 'A', status: 'SERVFAIL', ad: false, ede: 9, cdData: '192.0.2.1', why: 'DS at the parent, no DNSKEY in the zone' },
  { name: 'www.forged.sec', type: 'A', status: 'SERVFAIL', ad: false, ede: 6, cdData: '192.0.2.66', why: 'a forged address under a valid RRSIG for another' },
  { name: 'www.forged.sec', type: 'AAAA', status: 'NOERROR', ad: true, answer: ['AAAA'], why: 'the untouched AAAA of the forged name is secure' },
  // Insecure
  { name: 'www.alg253.sec', type: 'A', status: 'NOERROR', ad: false, ede: 1, answer: ['A'], why: 'the only DS has algorithm 253 (private): insecure' },
  { name: 'www.digest253.sec', type: 'A', status: 'NOERROR', ad: false, ede: 2, answer: ['A'], why: 'the only DS has digest type 253: insecure' },
  { name: 'www.rsamd5.sec', type: 'A', status: 'NOERROR', ad: false, ede: 1, answer: ['A'], why: 'signed with RSAMD5 (RFC 8624: must not validate): insecure' },
  { name: 'www.island.sec', type: 'A', status: 'NOERROR', ad: false, answer: ['A'], why: 'island of security: signed, but sec. proves no DS' },
  { name: 'www.unsigned.sec', type: 'A', status: 'NOERROR', ad: false, answer: ['A'], why: 'unsigned zone, NSEC-proven insecure delegation' },
  { name: 'cname.nsec.sec', type: 'A', status: 'NOERROR', ad: false, answer: ['CNAME', 'A'], why: 'CNAME from a signed zone into an unsigned one' },
  { name: 'nope.unsigned.sec', type: 'A', status: 'NXDOMAIN', ad: false, answer: [], why: 'NXDOMAIN from an unsigned zone' },
];

const typesOf = (r: DigResult) => r.answer.map((l) => l.trim().split(/\s+/)[3]!).filter((t) => t !== 'RRSIG');
const lastRdata = (r: DigResult) => r.answer.filter((l) => l.trim().split(/\s+/)[3] !== 'RRSIG').map((l) => l.trim().split(/\s+/).pop());
const isDnssecEde = (code: number | undefined) => code !== undefined && code >= 6 && code <= 12;
const shape = (r: DigResult) => ({ status: r.status, ad: r.flags.includes('ad'), ede: digEde(r.raw), answer: typesOf(r) });

describe.skipIf(!run || !hasLdns)('e2e: DNSSEC on an ldns-signed hierarchy (rootline and Unbound)', () => {
  let hierarchy: Awaited<ReturnType<typeof startSignedHierarchy>>;
  let rootline: ChildProcess;
  let unbound: ChildProcess;
  let dir = '';
  let control = '';

  const ctl = async (...args: string[]) => (await execFileAsync(process.execPath, ['dist/cli.js', 'ctl', '--control', control, ...args], { encoding: 'utf8' })).stdout;
  /** Queries rootline has sent upstream so far: the sum of `sent` over its server health table. */
  const upstreamQueries = async () => {
    const servers = JSON.parse(await ctl('servers', '--json')) as unknown;
    const rows = (Array.isArray(servers) ? servers : (servers as { servers: unknown[] }).servers) as { sent: number }[];
    return rows.reduce((sum, s) => sum + s.sent, 0);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rootline-dnssec-e2e-'));
    hierarchy = await startSignedHierarchy(specs(), { workDir: join(dir, 'lab') });
    control = join(dir, 'control.sock');
    rootline = startChild(process.execPath, ['dist/cli.js', 'serve', '--listen', `127.0.0.1:${ROOTLINE_PORT}`, '--root-hints', hierarchy.rootHintsPath, '--trust-anchor-file', hierarchy.trustAnchorPath, '--control-socket', control, '--log-level', 'warn']);
    unbound = startUnbound(join(dir, 'unbound'), UNBOUND_PORT, hierarchy.rootHintsPath, ['module-config: "validator iterator"', `trust-anchor-file: "${hierarchy.trustAnchorPath}"`, 'ede: yes', 'val-log-level: 2']);
    await Promise.all([waitForAnswer('127.0.0.1', ROOTLINE_PORT, rootline, 'rootline'), waitForAnswer('127.0.0.1', UNBOUND_PORT, unbound, 'unbound')]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([stopChild(rootline), stopChild(unbound)]);
    await hierarchy?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the trust anchor is the generated root KSK, and the signer did what the specs say', () => {
    expect(hierarchy.trustAnchor).toMatch(/^\.\s+3600\s+IN\s+DS\s+\d+\s+8\s+2\s+[0-9a-f]{64}$/);
    expect(hierarchy.ds.get('alg253.sec')).toMatch(/\sDS\s+\d+\s+253\s+2\s/);
    expect(hierarchy.texts.get('nosig.sec')).not.toMatch(/^www\.nosig\.sec\.\s+\d+\s+IN\s+RRSIG\s+A\s/m);
    expect(hierarchy.texts.get('nokey.sec')).not.toMatch(/\sIN\s+DNSKEY\s/);
    expect(hierarchy.texts.get('optout.sec')).toMatch(/\sNSEC3\s+1\s+1\s/); // flags 1: opt-out
    expect(hierarchy.texts.get('sec')).not.toMatch(/^island\.sec\.\s+\d+\s+IN\s+DS\s/m);
  });

  describe.each(cases.map((c) => [`${c.name} ${c.type}`, c] as const))('%s', (_label, c) => {
    it(`rootline: ${c.status}${c.ad ? ' AD' : ''}${c.ede !== undefined ? ` EDE ${c.ede}` : ''} — ${c.why}; the repeat comes from the cache`, async () => {
      const first = await digAsync(ROOTLINE_PORT, c.name, c.type, ['+dnssec']);
      const bogus = c.status === 'SERVFAIL';
      expect(shape(first), first.raw).toMatchObject({ status: c.status, ad: c.ad, ede: c.ede, ...(c.answer ? { answer: c.answer } : {}) });
      if (c.ad) expect(first.answer.some((l) => /\sRRSIG\s/.test(l)) || first.authority.some((l) => /\sRRSIG\s/.test(l)), 'DO=1 gets the RRSIGs').toBe(true);
      if (bogus) expect(first.raw, 'the EXTRA-TEXT names the zone').toMatch(new RegExp(`EDE: ${c.ede} .*${c.name.split('.').slice(1).join('\\.')}`));
      const before = await upstreamQueries();
      const again = await digAsync(ROOTLINE_PORT, c.name, c.type, ['+dnssec']);
      // The code of a bogus repeat is checked on its own below; here: still SERVFAIL, a DNSSEC EDE, nothing asked.
      if (bogus) expect({ ...shape(again), ede: isDnssecEde(digEde(again.raw)) }, again.raw).toEqual({ ...shape(first), ede: true });
      else expect(shape(again), again.raw).toEqual(shape(first));
      expect(await upstreamQueries(), 'the repeat is answered from the cache, no upstream query').toBe(before);
      if (c.cdData) {
        const cd = await digAsync(ROOTLINE_PORT, c.name, c.type, ['+dnssec', '+cd']);
        expect(cd.status, cd.raw).toBe('NOERROR');
        expect(cd.flags).not.toContain('ad');
        expect(lastRdata(cd)).toEqual([c.cdData]);
        // CD=1 did not launder the bogus data: without CD it is still SERVFAIL.
        const after = await digAsync(ROOTLINE_PORT, c.name, c.type, ['+dnssec']);
        expect([after.status, after.flags.includes('ad'), isDnssecEde(digEde(after.raw))], after.raw).toEqual(['SERVFAIL', false, true]);
      }
    });

    // A bogus answer repeated from the bogus cache keeps its first code (7, 8, 9, 10), as Unbound's does.
    if (c.status === 'SERVFAIL' && c.ede !== 6) {
      it(`rootline: the repeat from the bogus cache keeps EDE ${c.ede}`, async () => {
        const r = await digAsync(ROOTLINE_PORT, c.name, c.type, ['+dnssec']);
        expect(digEde(r.raw), r.raw).toBe(c.ede);
      });
    }

    it(`Unbound agrees: ${c.status}${c.ad ? ' AD' : ''}`, async () => {
      const theirs = await digAsync(UNBOUND_PORT, c.name, c.type, ['+dnssec']);
      expect({ status: theirs.status, ad: theirs.flags.includes('ad'), ...(c.answer ? { answer: typesOf(theirs) } : {}) }, theirs.raw).toEqual({ status: c.status, ad: c.ad, ...(c.answer ? { answer: c.answer } : {}) });
      if (c.status === 'SERVFAIL') expect(isDnssecEde(digEde(theirs.raw)), theirs.raw).toBe(true);
      if (c.cdData) expect(lastRdata(await digAsync(UNBOUND_PORT, c.name, c.type, ['+dnssec', '+cd']))).toEqual([c.cdData]);
    });
  });

  it('a bogus answer names the zone and the failing step in its EXTRA-TEXT, and `ctl trace` shows the chain of trust', async () => {
    const r = await digAsync(ROOTLINE_PORT, 'www.forged.sec', 'A');
    expect(r.raw).toMatch(/EDE: 6 \(DNSSEC Bogus\): \(.*forged\.sec/);
    const trace = await ctl('trace', 'www.example.rsa', 'A');
    expect(trace).toMatch(/example\.rsa/);
    expect(trace.toLowerCase()).toMatch(/secure/);
  });

  it('config: `trust-anchors` for the island makes it secure, `domain-insecure` makes a bogus zone insecure (Unbound: trust-anchor, domain-insecure)', async () => {
    const island = hierarchy.ds.get('island.sec')!.split(/\s+/);
    const anchor = `island.sec. DS ${island.slice(4).join(' ')}`;
    const config = join(dir, 'anchors.yaml');
    writeFileSync(config, [`trust-anchors: ["${anchor}"]`, 'domain-insecure: ["expired.sec"]', ''].join('\n'));
    const port = ROOTLINE_PORT + 2;
    const uport = UNBOUND_PORT + 2;
    const ours = startChild(process.execPath, ['dist/cli.js', 'serve', '--config', config, '--listen', `127.0.0.1:${port}`, '--root-hints', hierarchy.rootHintsPath, '--trust-anchor-file', hierarchy.trustAnchorPath, '--control-socket', 'off', '--log-level', 'warn']);
    const theirs = startUnbound(join(dir, 'unbound-anchors'), uport, hierarchy.rootHintsPath, ['module-config: "validator iterator"', `trust-anchor-file: "${hierarchy.trustAnchorPath}"`, `trust-anchor: "${anchor}"`, 'domain-insecure: "expired.sec"', 'ede: yes']);
    try {
      await Promise.all([waitForAnswer('127.0.0.1', port, ours, 'rootline (anchors)'), waitForAnswer('127.0.0.1', uport, theirs, 'unbound (anchors)')]);
      for (const p of [port, uport]) {
        const who = p === port ? 'rootline' : 'unbound';
        const isl = await digAsync(p, 'www.island.sec', 'A', ['+dnssec']);
        expect([who, isl.status, isl.flags.includes('ad')], isl.raw).toEqual([who, 'NOERROR', true]);
        const nta = await digAsync(p, 'www.expired.sec', 'A', ['+dnssec']);
        expect([who, nta.status, nta.flags.includes('ad'), lastRdata(nta)], nta.raw).toEqual([who, 'NOERROR', false, ['192.0.2.1']]);
        // The rest of the tree is unchanged: still secure, still bogus.
        expect((await digAsync(p, 'www.example.rsa', 'A')).flags).toContain('ad');
        expect((await digAsync(p, 'www.future.sec', 'A')).status).toBe('SERVFAIL');
      }
    } finally {
      await Promise.all([stopChild(ours), stopChild(theirs)]);
    }
  });

  it('ldns-signzone wrote the windows asked for: expired.sec ended ten days ago, future.sec starts in ten days', () => {
    const window = (zone: string) => {
      const m = new RegExp(`^www\\.${zone.replace('.', '\\.')}\\.\\s+\\d+\\s+IN\\s+RRSIG\\s+A\\s+\\d+\\s+\\d+\\s+\\d+\\s+(\\d{14})\\s+(\\d{14})`, 'm').exec(hierarchy.texts.get(zone)!);
      const seconds = (t: string) => Date.UTC(+t.slice(0, 4), +t.slice(4, 6) - 1, +t.slice(6, 8), +t.slice(8, 10), +t.slice(10, 12), +t.slice(12, 14)) / 1000;
      return { expiration: seconds(m![1]!), inception: seconds(m![2]!) };
    };
    expect(window('expired.sec').expiration).toBe(now - 10 * DAY);
    expect(window('future.sec').inception).toBe(now + 10 * DAY);
    expect(window('nsec.sec')).toEqual(defaultWindow(now));
  });
});
