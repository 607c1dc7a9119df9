// `rootline doctor` against real packet filtering (issue 17): two network namespaces of this process joined by a
// veth pair — rl-doc-net-PID plays "the internet" (two root servers and an intercepting resolver, scripted by
// test/helpers/doctor-internet.mjs) and rl-doc-host-PID is the machine the doctor runs on — and then, one at a
// time, nft rules inside rl-doc-host: UDP/53 to the roots DNAT-ed to the interceptor, TCP/53 rejected, and
// fragments dropped on a 1,280-byte-MTU link. Each scenario asserts the doctor's line and its exit status.
// Only RFC 5737 addresses, which exist only inside these namespaces (no route off the machine). Needs root and
// nft; skipped with the reason otherwise. (test/integration/doctor.test.ts plays the same faults on loopback.)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, assertCliBuilt, spawnProgram, type CliProcess } from '../helpers/cli.js';
import { netnsUnavailable } from '../helpers/netns.js';

const INTERNET_SCRIPT = resolve(dirname(fileURLToPath(import.meta.url)), '../helpers/doctor-internet.mjs');
const ID = process.pid;
const NET = `rl-doc-net-${ID}`;
const HOST = `rl-doc-host-${ID}`;
const NET_IF = `rldn${ID}`.slice(0, 15);
const HOST_IF = `rldh${ID}`.slice(0, 15);
const NET_ADDRESS = '198.51.100.1'; // the "internet" side of the link, the host's gateway
const HOST_ADDRESS = '198.51.100.2';
const ROOTS = ['203.0.113.1', '203.0.113.2'];
const INTERCEPTOR = '203.0.113.53';

const sh = (command: string, args: string[], input?: string): string =>
  execFileSync(command, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], timeout: 10_000 });
const ip = (args: string[]): string => sh('ip', args);
/** Loads an nft ruleset (nft -f -) inside the host namespace. */
const nftHost = (rules: string): string => sh('ip', ['netns', 'exec', HOST, 'nft', '-f', '-'], rules);

function nftMissing(): string | null {
  try {
    sh('nft', ['--version']);
    return null;
  } catch {
    return '`nft` (nftables) is not installed';
  }
}

const skipReason = nftMissing() ?? netnsUnavailable();

describe.skipIf(skipReason !== null)(`rootline doctor behind real packet filters (netns, nft)${skipReason ? ` — skipped: ${skipReason}` : ''}`, () => {
  const made: string[] = [];
  let internet: CliProcess | null = null;
  let doctorRun: CliProcess | null = null;
  let dir = '';
  let args: string[] = [];

  beforeAll(async () => {
    assertCliBuilt();
    for (const ns of [NET, HOST]) {
      ip(['netns', 'add', ns]);
      made.push(ns);
    }
    // Made inside the namespaces directly: the pair never appears in the machine's own namespace.
    ip(['link', 'add', NET_IF, 'netns', NET, 'type', 'veth', 'peer', 'name', HOST_IF, 'netns', HOST]);
    ip(['-n', NET, 'addr', 'add', `${NET_ADDRESS}/24`, 'dev', NET_IF]);
    ip(['-n', HOST, 'addr', 'add', `${HOST_ADDRESS}/24`, 'dev', HOST_IF]);
    for (const a of [...ROOTS, INTERCEPTOR]) ip(['-n', NET, 'addr', 'add', `${a}/32`, 'dev', 'lo']);
    for (const [ns, dev] of [[NET, NET_IF], [HOST, HOST_IF]] as const) {
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      ip(['-n', ns, 'link', 'set', dev, 'up']);
    }
    ip(['-n', HOST, 'route', 'add', '203.0.113.0/24', 'via', NET_ADDRESS]);

    internet = spawnProgram('ip', ['netns', 'exec', NET, process.execPath, INTERNET_SCRIPT, ROOTS.join(','), INTERCEPTOR]);
    await internet.waitForOutput(/^ready$/m, 10_000);

    dir = mkdtempSync(join(tmpdir(), 'rootline-doctor-netns-'));
    const hints = join(dir, 'named.root');
    writeFileSync(hints, `. 3600000 NS a.root.test.\n. 3600000 NS b.root.test.\na.root.test. 3600000 A ${ROOTS[0]}\nb.root.test. 3600000 A ${ROOTS[1]}\n`);
    const config = join(dir, 'doctor.yaml');
    writeFileSync(config, 'listen: ["127.0.0.1:53"]\nipv6-upstream: false\n'); // the host namespace is fresh: 53 is free
    const resolvConf = join(dir, 'resolv.conf');
    writeFileSync(resolvConf, 'nameserver 127.0.0.1\n');
    args = ['doctor', '--root-hints', hints, '--upstream-port', '53', '--config', config, '--resolv-conf', resolvConf];
  }, 30_000);

  afterEach(() => {
    // Every scenario starts from a clean host: no rules, the link's usual MTU.
    if (made.length < 2) return;
    sh('ip', ['netns', 'exec', HOST, 'nft', 'flush', 'ruleset']);
    ip(['-n', HOST, 'link', 'set', HOST_IF, 'mtu', '1500']);
    ip(['-n', NET, 'link', 'set', NET_IF, 'mtu', '1500']);
  });

  afterAll(async () => {
    for (const p of [doctorRun, internet]) {
      if (!p?.running()) continue;
      try {
        process.kill(p.pid, 'SIGKILL'); // `ip netns exec` execs in place: this PID is the node process itself
      } catch {
        // already gone
      }
      await p.waitForExit(5000).catch(() => undefined);
    }
    for (const ns of made.splice(0).reverse()) {
      try {
        ip(['netns', 'del', ns]);
      } catch {
        // already gone
      }
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** `rootline doctor` inside the host namespace: its exit status, output and one check's line. */
  async function doctor() {
    doctorRun = spawnProgram('ip', ['netns', 'exec', HOST, process.execPath, CLI_PATH, ...args]);
    const exit = await doctorRun.waitForExit(25_000);
    const stdout = doctorRun.stdout();
    const line = (check: string): string => stdout.split('\n').find((l) => l.includes(` ${check} `) || l.endsWith(` ${check}`)) ?? `(no line for ${check} in:\n${stdout}${doctorRun!.stderr()})`;
    return { code: exit.code, stdout, line };
  }

  const roots = ROOTS.join(', ');

  it('passes every path check on a healthy network', async () => {
    const started = Date.now();
    const r = await doctor();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.line('port 53 here')).toMatch(/^ok\s+port 53 here\s+127\.0\.0\.1:53 is free$/);
    expect(r.line('UDP and TCP to the roots')).toMatch(/^ok .*IPv4: 2\/2 over UDP \(median \d+ ms\), 2\/2 over TCP/);
    expect(r.line('interception')).toMatch(/^ok .*2\/2 root addresses answer as roots \(a referral for com\., RA clear\)/);
    expect(r.line('large answers')).toMatch(/^ok .*a \d{4}-byte UDP answer \(\. DNSKEY, 4,096-byte buffer\) arrives: fragments pass/);
    expect(r.line('EDNS and DNSSEC on the path')).toMatch(/^ok .*OPT kept\), \. DNSKEY signed \(1 RRSIG\)/);
    expect(r.line('clock')).toMatch(/^ok .*inside the roots' signatures valid/);
    expect(r.line('this machine uses it')).toMatch(/^warning .*points at 127\.0\.0\.1, and none of them is rootline/);
    expect(r.code).toBe(0);
  }, 30_000);

  it(`names the root addresses whose UDP/53 is DNAT-ed to another resolver (${roots} → ${INTERCEPTOR})`, async () => {
    nftHost(`table ip rl_doctor {
      chain out {
        type nat hook output priority -100; policy accept;
        ip daddr { ${roots} } udp dport 53 counter dnat to ${INTERCEPTOR}
      }
    }`);
    const r = await doctor();
    expect(r.line('interception')).toMatch(
      new RegExp(`^PROBLEM\\s+interception\\s+not the root answering: ${ROOTS.map((a) => `${a.replace(/\./g, '\\.')} \\(recursion available\\)`).join('; ')} — a DNS proxy on the path`),
    );
    expect(r.line('UDP and TCP to the roots')).toMatch(/^ok .*2\/2 over UDP .*, 2\/2 over TCP/); // the proxy answers UDP; TCP still reaches the roots
    expect(r.code).toBe(1);
    expect(sh('ip', ['netns', 'exec', HOST, 'nft', 'list', 'table', 'ip', 'rl_doctor'])).toMatch(/counter packets [1-9]/);
  }, 30_000);

  it('reports TCP/53 to the roots rejected as a problem', async () => {
    nftHost(`table inet rl_doctor {
      chain out {
        type filter hook output priority 0; policy accept;
        ip daddr { ${roots} } tcp dport 53 counter reject with tcp reset
      }
    }`);
    const r = await doctor();
    expect(r.line('UDP and TCP to the roots')).toMatch(/^PROBLEM\s+UDP and TCP to the roots\s+IPv4: 2\/2 over UDP \(median \d+ ms\), 0\/2 over TCP; IPv6: not tested/);
    expect(r.stdout).toMatch(/fix: TCP port 53 is blocked: truncated \(large\) answers will fail; allow outbound TCP\/53/);
    expect(r.line('interception')).toMatch(/^ok /);
    expect(r.code).toBe(1);
  }, 30_000);

  it('lets a large UDP answer through a 1,280-byte MTU while its fragments pass', async () => {
    for (const [ns, dev] of [[HOST, HOST_IF], [NET, NET_IF]] as const) ip(['-n', ns, 'link', 'set', dev, 'mtu', '1280']);
    const r = await doctor();
    expect(r.line('large answers')).toMatch(/^ok .*a \d{4}-byte UDP answer .* arrives: fragments pass/);
    expect(r.code).toBe(0);
  }, 30_000);

  it('warns that fragments are dropped when the host drops them on a 1,280-byte MTU', async () => {
    // Both ends at 1,280 bytes: the > 1,500-byte . DNSKEY reply leaves the roots' side in fragments.
    for (const [ns, dev] of [[HOST, HOST_IF], [NET, NET_IF]] as const) ip(['-n', ns, 'link', 'set', dev, 'mtu', '1280']);
    // Every fragment (more-fragments set or a non-zero offset), before conntrack's reassembly (priority -400).
    nftHost(`table ip rl_doctor {
      chain in {
        type filter hook prerouting priority -500; policy accept;
        iifname "${HOST_IF}" ip frag-off & 0x3fff != 0 counter drop
      }
    }`);
    const r = await doctor();
    expect(r.line('large answers')).toMatch(/^warning\s+large answers\s+a \d{4}-byte answer over UDP is lost \(timeout\) while the 1,232-byte buffer works: fragments are dropped on the path$/);
    expect(r.line('UDP and TCP to the roots')).toMatch(/^ok .*2\/2 over UDP .*, 2\/2 over TCP/);
    expect(r.line('EDNS and DNSSEC on the path')).toMatch(/^ok /); // over TCP, segments fit the MTU
    expect(r.code).toBe(0);
    expect(sh('ip', ['netns', 'exec', HOST, 'nft', 'list', 'table', 'ip', 'rl_doctor'])).toMatch(/counter packets [1-9]/);
  }, 30_000);
});
