// `rootline doctor` against scripted root servers on loopback, one fault at a time: a healthy path, a proxy
// answering in the roots' place, TCP/53 lost, large UDP answers lost (fragments dropped), EDNS stripped,
// RRSIGs stripped, a clock outside the signatures' window, and port 53 held by another process. Each run
// asserts its line and the exit status. (The faults are played by the servers, not by firewall rules.)
import * as dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RR } from '../../src/wire/types.js';
import { assertCliBuilt, freeUdpTcpPort, runCli } from '../helpers/cli.js';
import { authoritative, reply, rr, type Handler } from '../helpers/fake-net.js';
import { serveOnLoopback, type LoopbackServer } from '../helpers/loopback-auth.js';

const ROOTS = ['127.69.0.1', '127.69.0.2'];
const DAY = 86_400;
const now = Math.floor(Date.now() / 1000);

/** A signed-looking root: . DNSKEY is big enough (> 1,500 bytes) to test fragments, with an RRSIG. */
function dnskeys(inception = now - 7 * DAY, expiration = now + 7 * DAY): RR[] {
  const keys = Array.from({ length: 6 }, (_, i): RR => ({ name: '.', type: 'DNSKEY', class: 'IN', ttl: 172800, data: { flags: 257, algorithm: 8, key: Buffer.alloc(260, i + 1) } }));
  const sig: RR = {
    name: '.',
    type: 'RRSIG',
    class: 'IN',
    ttl: 172800,
    data: { typeCovered: 'DNSKEY', algorithm: 8, labels: 0, originalTTL: 172800, expiration, inception, keyTag: 20326, signersName: '.', signature: Buffer.alloc(256, 7) },
  };
  return [...keys, sig];
}

const zone = authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOTS[0]!), rr.ns('com', 'ns.nic.com'), rr.a('ns.nic.com', '127.69.1.1')]);

interface Faults {
  intercept?: boolean;
  noTcp?: boolean;
  dropBigUdp?: boolean;
  stripOpt?: boolean;
  stripSigs?: boolean;
  sigWindow?: [number, number];
}

function root(f: Faults): Handler {
  return async (q, o) => {
    const question = q.questions![0]!;
    if (f.noTcp && o.tcp) return 'drop';
    const ednsSize = (q.additionals ?? []).find((a) => (a as { type: string }).type === 'OPT') as { udpPayloadSize?: number } | undefined;
    if (f.dropBigUdp && !o.tcp && (ednsSize?.udpPayloadSize ?? 512) > 1500 && question.type === 'DNSKEY') return 'drop'; // lost fragments
    if (f.intercept && question.type === 'A') return { ...reply.answer([rr.a(question.name, '192.0.2.99')]), flags: 0x8180 };
    let r = question.type === 'DNSKEY' ? reply.answer(dnskeys(...(f.sigWindow ?? [])).filter((x) => !(f.stripSigs && x.type === 'RRSIG'))) : await zone(q, o);
    if (typeof r === 'object' && !Buffer.isBuffer(r) && ednsSize && !f.stripOpt) {
      r = { ...r, additionals: [...(r.additionals ?? []), { type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0, options: [] } as never] };
    }
    return r;
  };
}

describe('rootline doctor', () => {
  let servers: LoopbackServer[] = [];
  let port = 0;
  let dir = '';
  let hints = '';
  let resolvConf = '';

  beforeAll(async () => {
    assertCliBuilt();
    port = await freeUdpTcpPort(ROOTS);
    servers = await Promise.all(ROOTS.map((a) => serveOnLoopback(a, port, root({}))));
    dir = mkdtempSync(join(tmpdir(), 'rootline-doctor-'));
    hints = join(dir, 'named.root');
    writeFileSync(hints, `. 3600000 NS a.root.test.\n. 3600000 NS b.root.test.\na.root.test. 3600000 A ${ROOTS[0]}\nb.root.test. 3600000 A ${ROOTS[1]}\n`);
    resolvConf = join(dir, 'resolv.conf');
    writeFileSync(resolvConf, 'nameserver 127.69.9.9\n');
  });

  afterAll(async () => {
    for (const s of servers) await s.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const doctor = async (faults: Faults, extra: string[] = []) => {
    for (const s of servers) s.handler = root(faults);
    const listenPort = await freeUdpTcpPort(['127.69.9.1']);
    const config = join(dir, 'doctor.yaml');
    writeFileSync(config, `listen: ["127.69.9.1:${listenPort}"]\nipv6-upstream: false\n`);
    const r = await runCli(['doctor', '--root-hints', hints, '--upstream-port', String(port), '--config', config, '--resolv-conf', resolvConf, ...extra], 25_000);
    const line = (check: string): string => r.stdout.split('\n').find((l) => l.includes(` ${check} `) || l.endsWith(` ${check}`)) ?? `(no line for ${check})`;
    return { ...r, line };
  };

  it('passes a healthy path within 10 s, and says when this machine does not use rootline', async () => {
    const started = Date.now();
    const r = await doctor({});
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.code).toBe(0);
    expect(r.line('port 53 here')).toMatch(/^ok\s+port 53 here\s+127\.69\.9\.1:\d+ is free$/);
    expect(r.line('UDP and TCP to the roots')).toMatch(/^ok .*IPv4: 2\/2 over UDP \(median \d+ ms\), 2\/2 over TCP/);
    expect(r.line('interception')).toMatch(/^ok .*2\/2 root addresses answer as roots/);
    expect(r.line('large answers')).toMatch(/^ok .*a \d{4}-byte UDP answer .* arrives: fragments pass/);
    expect(r.line('EDNS and DNSSEC on the path')).toMatch(/^ok .*OPT kept\), \. DNSKEY signed \(1 RRSIG\)/);
    expect(r.line('clock')).toMatch(/^ok .*inside the roots' signatures valid/);
    expect(r.line('this machine uses it')).toMatch(/^warning .*points at 127\.69\.9\.9, and none of them is rootline/);
  }, 30_000);

  it('names the addresses that answer in the roots’ place', async () => {
    const r = await doctor({ intercept: true });
    expect(r.code).toBe(1);
    expect(r.line('interception')).toMatch(/^PROBLEM .*not the root answering: 127\.69\.0\.1 \(recursion available\); 127\.69\.0\.2 \(recursion available\)/);
  }, 30_000);

  it('reports TCP/53 blocked as a problem', async () => {
    const r = await doctor({ noTcp: true });
    expect(r.code).toBe(1);
    expect(r.line('UDP and TCP to the roots')).toMatch(/^PROBLEM .*2\/2 over UDP .*, 0\/2 over TCP/);
    expect(r.stdout).toMatch(/fix: TCP port 53 is blocked: truncated \(large\) answers will fail/);
  }, 30_000);

  it('warns when large UDP answers are lost but small buffers work', async () => {
    const r = await doctor({ dropBigUdp: true });
    expect(r.line('large answers')).toMatch(/^warning .*answer over UDP is lost \(timeout\) while the 1,232-byte buffer works: fragments are dropped/);
    expect(r.code).toBe(0);
  }, 30_000);

  it('finds EDNS stripped, RRSIGs stripped, and a clock outside the signatures', async () => {
    expect((await doctor({ stripOpt: true })).line('EDNS and DNSSEC on the path')).toMatch(/^PROBLEM .*has no OPT record: EDNS is stripped/);
    expect((await doctor({ stripSigs: true })).line('EDNS and DNSSEC on the path')).toMatch(/^warning .*without RRSIG to a DO query: signatures are stripped/);
    const late = await doctor({ sigWindow: [now - 30 * DAY, now - 10 * DAY] });
    expect(late.code).toBe(1);
    expect(late.line('clock')).toMatch(/^PROBLEM .*outside the roots' signatures valid .*: every signature looks expired/);
  }, 60_000);

  it('names the process holding the listen port', async () => {
    const holder = dgram.createSocket('udp4');
    const listenPort = await freeUdpTcpPort(['127.69.9.2']);
    await new Promise<void>((r) => holder.bind(listenPort, '127.69.9.2', () => r()));
    try {
      const config = join(dir, 'held.yaml');
      writeFileSync(config, `listen: ["127.69.9.2:${listenPort}"]\nipv6-upstream: false\n`);
      const r = await runCli(['doctor', '--root-hints', hints, '--upstream-port', String(port), '--config', config, '--resolv-conf', resolvConf], 25_000);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`PROBLEM\\s+port 53 here\\s+127\\.69\\.9\\.2:${listenPort} is held by \\S*node\\S* \\(pid ${process.pid}\\)`));
    } finally {
      holder.close();
    }
  }, 30_000);
});
