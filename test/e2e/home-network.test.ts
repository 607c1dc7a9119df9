// End to end, issue 7's "Done when": one rootline in place of a Pi-hole + Unbound pair, set up as the README's
// "Use it for your home network" section says, checked with real `dig`. The public internet is an NSD hierarchy
// on 127.78.x.x:53; the home router's resolver (the FRITZ!Box that knows its DHCP clients) is an Unbound on
// loopback with fritz.box and 178.168.192.in-addr.arpa as local zones, iterating the same hierarchy.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHierarchy, type Hierarchy } from '../../scripts/lib/hierarchy.mjs';
import { dig, e2eGate, startChild, startUnbound, stopChild, ttlOf, waitForAnswer, type DigResult } from './tools.js';

const ROOTLINE_PORT = 5341;
const ROUTER_PORT = 5342;
const run = e2eGate('home network (rootline in place of Pi-hole + Unbound)');

/** The last field of each answer record of the given type (the address, or the PTR target). */
function data(r: DigResult, type: string): string[] {
  return r.answer.filter((l) => l.split(/\s+/)[3] === type).map((l) => l.split(/\s+/).pop()!);
}

/** The EDE lines dig prints in the OPT pseudosection. */
function ede(r: DigResult): string[] {
  return r.raw.split('\n').filter((l) => /^; EDE: /.test(l));
}

describe.skipIf(!run)('e2e: home network — local names, blocklists, forward zones and the rebinding guard, with dig', () => {
  let hierarchy: Hierarchy;
  let rootline: ChildProcess;
  let router: ChildProcess;
  let dir = '';
  let blocklist = '';
  /** dig at rootline, +tries=1 +time=2. */
  const ask = (name: string, type = 'A', extra: string[] = []): DigResult => dig(ROOTLINE_PORT, name, type, ['+time=2', ...extra]);
  const askRouter = (name: string, type = 'A'): DigResult => dig(ROUTER_PORT, name, type, ['+time=2']);
  const reverse = (address: string): DigResult => dig(ROOTLINE_PORT, '-x', address, ['+time=2']);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rootline-e2e-home-'));
    hierarchy = await startHierarchy({
      workDir: join(dir, 'lab'),
      domains: 6,
      port: 53,
      prefix: '127.78',
      records: {
        'example.com': [
          'ads 300 A 192.0.2.66', // a real name, blocked by the list below
          'rebind 300 A 192.168.1.66', // a public name with a private address: what a rebinding attack serves
          'rebind 300 AAAA fd00::66',
          'mixed 300 A 192.0.2.67',
          'mixed 300 A 10.0.0.67',
          'cloak 300 CNAME ads.example.com.', // CNAME cloaking: an innocent name aliased to a blocked one
          'sneaky 300 CNAME rebind.example.com.', // a public CNAME to the public name with a private address
        ],
      },
    });

    // The router: its DHCP clients under fritz.box and their PTRs, everything else resolved from the "internet".
    router = startUnbound(join(dir, 'router'), ROUTER_PORT, hierarchy.rootHintsPath, [
      'local-zone: "fritz.box." static',
      'local-data: "laptop.fritz.box. 600 IN A 192.168.178.20"',
      'local-data: "fritz.box. 600 IN A 192.168.178.1"',
      'local-zone: "178.168.192.in-addr.arpa." static',
      'local-data-ptr: "192.168.178.20 600 laptop.fritz.box."',
    ]);

    // rootline's files, as in the README (router address 192.168.1.1 → the Unbound above, port 53 → its port).
    writeFileSync(join(dir, 'hosts.lan'), ['# the homelab', '192.168.1.20 nas.lan nas', ''].join('\n'));
    blocklist = join(dir, 'ads.txt');
    writeFileSync(blocklist, ['# hosts format, then an adblock rule', '0.0.0.0 ads.example.com tracker.example.org', '||d1.net^', ''].join('\n'));
    const config = join(dir, 'rootline.yaml');
    writeFileSync(
      config,
      [
        `listen: ["127.0.0.1:${ROOTLINE_PORT}"]`,
        `root-hints: ${hierarchy.rootHintsPath}`, 'dnssec-validation: false',
        'hosts-files: [hosts.lan]',
        'local-data:',
        '  - "printer.lan 300 A 192.168.1.30"',
        'forward-zones:',
        '  - name: fritz.box',
        `    servers: ["127.0.0.1@${ROUTER_PORT}"]`,
        '  - name: 178.168.192.in-addr.arpa',
        `    servers: ["127.0.0.1@${ROUTER_PORT}"]`,
        'blocklists: [ads.txt]',
        'allowlist: [www.d1.net]',
        'private-addresses: default',
        'ratelimit: 100',
        'log-level: warn',
        '',
      ].join('\n'),
    );
    rootline = startChild(process.execPath, ['dist/cli.js', 'serve', '--config', config]);
    await Promise.all([waitForAnswer('127.0.0.1', ROOTLINE_PORT, rootline, 'rootline'), waitForAnswer('127.0.0.1', ROUTER_PORT, router, 'unbound (router)')]);
  }, 40_000);

  afterAll(async () => {
    await Promise.all([stopChild(rootline), stopChild(router)]);
    await hierarchy?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers local names itself, authoritatively: hosts file and local-data, with the PTR of the hosts line', () => {
    const nas = ask('nas.lan');
    expect(nas.status).toBe('NOERROR');
    expect(nas.flags).toContain('aa');
    expect(data(nas, 'A')).toEqual(['192.168.1.20']);
    expect(data(ask('nas'), 'A')).toEqual(['192.168.1.20']); // the alias of the same line

    const printer = ask('printer.lan');
    expect(printer.flags).toContain('aa');
    expect(data(printer, 'A')).toEqual(['192.168.1.30']);
    expect(ttlOf(printer.answer[0]!)).toBe(300);

    const nasV6 = ask('nas.lan', 'AAAA'); // a local name without that type: NODATA, still from here
    expect(nasV6.status).toBe('NOERROR');
    expect(nasV6.answer).toEqual([]);
    expect(nasV6.flags).toContain('aa');

    const ptr = reverse('192.168.1.20');
    expect(ptr.status).toBe('NOERROR');
    expect(ptr.flags).toContain('aa');
    expect(data(ptr, 'PTR')).toEqual(['nas.lan.']);
  });

  it('keeps the rest of the private reverse zone local: dig -x of an address not in the hosts file is NXDOMAIN with aa (RFC 6303)', () => {
    const r = reverse('192.168.1.99');
    expect(r.status).toBe('NXDOMAIN');
    expect(r.flags).toContain('aa');
  });

  it('blocks a listed real name with 0.0.0.0 / :: and EDE 15 naming the list file, line and rule, and every name below it', () => {
    // Without rootline in the way the names resolve: the router's Unbound iterates the same hierarchy.
    expect(data(askRouter('ads.example.com'), 'A')).toEqual(['192.0.2.66']);
    expect(data(askRouter('mail.d1.net'), 'A')).toEqual(['203.0.113.1']);

    const ads = ask('ads.example.com');
    expect(ads.status).toBe('NOERROR');
    expect(data(ads, 'A')).toEqual(['0.0.0.0']);
    expect(ede(ads)).toEqual([`; EDE: 15 (Blocked): (blocked by ${blocklist} line 2: ads.example.com)`]);
    expect(data(ask('ads.example.com', 'AAAA'), 'AAAA')).toEqual(['::']);

    const below = ask('x.ads.example.com');
    expect(data(below, 'A')).toEqual(['0.0.0.0']);
    expect(ede(below).join('\n')).toMatch(/EDE: 15 \(Blocked\).*line 2: ads\.example\.com/);

    for (const name of ['d1.net', 'mail.d1.net']) {
      const r = ask(name);
      expect(data(r, 'A'), name).toEqual(['0.0.0.0']);
      expect(ede(r), name).toEqual([`; EDE: 15 (Blocked): (blocked by ${blocklist} line 3: d1.net)`]);
    }
  });

  it('blocks CNAME cloaking: an innocent name whose CNAME leads to a blocked name, EDE naming the target', () => {
    expect(data(askRouter('cloak.example.com'), 'A')).toEqual(['192.0.2.66']); // CNAME, then the A, without rootline
    for (const type of ['AAAA', 'MX']) {
      const r = ask('cloak.example.com', type);
      expect(r.status, type).toBe('NOERROR');
      expect(ede(r), type).toEqual([`; EDE: 15 (Blocked): (blocked by ${blocklist} line 2: ads.example.com (CNAME target ads.example.com))`]);
    }
    expect(data(ask('cloak.example.com', 'AAAA'), 'AAAA')).toEqual(['::']);
  });

  // The rebinding guard must not take the blocked answer's 0.0.0.0 for a private address (0.0.0.0/8 is in
  // private-addresses: default): the first filter that replaces a result decides.
  it('blocks CNAME cloaking for A with 0.0.0.0 and the blocklist EDE while the rebinding guard is on', () => {
    const r = ask('cloak.example.com', 'A');
    expect(data(r, 'A')).toEqual(['0.0.0.0']);
    expect(ede(r)).toEqual([`; EDE: 15 (Blocked): (blocked by ${blocklist} line 2: ads.example.com (CNAME target ads.example.com))`]);
  });

  it('resolves names that are not blocked: other hierarchy names, and an allowlisted name below a blocked one', () => {
    const www = ask('www.example.com');
    expect(www.status).toBe('NOERROR');
    expect(www.flags).not.toContain('aa');
    expect(data(www, 'A')).toEqual(['192.0.2.80']);
    expect(ede(www)).toEqual([]);

    const allowed = ask('www.d1.net');
    expect(data(allowed, 'A')).toEqual(['198.51.100.1']);
    expect(ede(allowed)).toEqual([]);
  });

  it('forwards the router zone and its reverse zone to the router: laptop.fritz.box and dig -x 192.168.178.20', () => {
    const laptop = ask('laptop.fritz.box');
    expect(laptop.status).toBe('NOERROR');
    expect(laptop.flags).toContain('ra');
    expect(laptop.flags).not.toContain('aa'); // a forwarder's answer
    expect(data(laptop, 'A')).toEqual(['192.168.178.20']); // private, but the forward zone may hold private addresses
    expect(ede(laptop)).toEqual([]);

    const ptr = reverse('192.168.178.20');
    expect(ptr.status).toBe('NOERROR');
    expect(ptr.flags).not.toContain('aa');
    expect(data(ptr, 'PTR')).toEqual(['laptop.fritz.box.']);

    // The router's word for what it does not know, not the public root's (fritz.box is no TLD there) nor RFC 6303's.
    expect(ask('nope.fritz.box').status).toBe('NXDOMAIN');
    const unknownPtr = reverse('192.168.178.99');
    expect(unknownPtr.status).toBe('NXDOMAIN');
    expect(unknownPtr.flags).not.toContain('aa');
  });

  it('guards against rebinding: a public name whose answer is a private address gets NODATA with EDE 15 naming the guard', () => {
    expect(data(askRouter('rebind.example.com'), 'A')).toEqual(['192.168.1.66']); // what the hierarchy really says

    const a = ask('rebind.example.com');
    expect(a.status).toBe('NOERROR');
    expect(a.answer).toEqual([]);
    expect(ede(a)).toEqual(['; EDE: 15 (Blocked): (private address 192.168.1.66 removed from the answer for rebind.example.com (rebinding guard: not in private-domains))']);

    const aaaa = ask('rebind.example.com', 'AAAA');
    expect(aaaa.status).toBe('NOERROR');
    expect(aaaa.answer).toEqual([]);
    expect(ede(aaaa).join('\n')).toMatch(/EDE: 15 \(Blocked\).*fd00::66.*rebinding guard/);

    // Only the private record goes; the public one of the same name stays.
    expect(data(ask('mixed.example.com'), 'A')).toEqual(['192.0.2.67']);

    // A public CNAME to that name: the CNAME stays, the private address behind it goes (judged by its owner).
    const sneaky = ask('sneaky.example.com');
    expect(sneaky.status).toBe('NOERROR');
    expect(sneaky.answer.map((l) => l.split(/\s+/).slice(3).join(' '))).toEqual(['CNAME rebind.example.com.']);
    expect(ede(sneaky).join('\n')).toMatch(/EDE: 15 \(Blocked\).*192\.168\.1\.66.*rebinding guard/);
  });

  it('re-reads the blocklist on SIGHUP (the README cron job), no restart: a newly listed name is blocked, the cache emptied', async () => {
    const before = ask('www.d2.org');
    expect(data(before, 'A')).toEqual(['198.51.100.2']); // resolved, and now in the answer cache
    // What the cron job does: fetch beside the list, rename over it, HUP the server (here by PID, not pkill).
    writeFileSync(`${blocklist}.new`, ['# hosts format, then an adblock rule', '0.0.0.0 ads.example.com tracker.example.org', '||d1.net^', '||d2.org^', ''].join('\n'));
    renameSync(`${blocklist}.new`, blocklist);
    const pid = rootline.pid!;
    process.kill(pid, 'SIGHUP');
    let after = ask('www.d2.org');
    for (let i = 0; i < 50 && data(after, 'A')[0] !== '0.0.0.0'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = ask('www.d2.org');
    }
    expect(data(after, 'A')).toEqual(['0.0.0.0']);
    expect(ede(after)).toEqual([`; EDE: 15 (Blocked): (blocked by ${blocklist} line 4: d2.org)`]);
    expect(data(ask('ads.example.com'), 'A')).toEqual(['0.0.0.0']); // the old rules still hold
    expect(rootline.pid).toBe(pid);
    expect(rootline.exitCode).toBeNull();
  });
});
