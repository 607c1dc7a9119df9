// The built `rootline` binary as a user runs it: serve (answers, logs, graceful shutdown on signals, bind and
// config errors), query (dig-like output, --trace), --no-qname-minimisation, and the lab command. Child
// processes on loopback only (127.61.x.y, 127.62.x.y), resolving through an in-process lab hierarchy.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../src/lab/lab.js';
import { labServers } from '../../src/lab/lab-zones.js';
import { ask, datas } from '../helpers/client.js';
import { assertCliBuilt, freeUdpTcpPort, killAllCli, runCli, spawnCli, type CliProcess } from '../helpers/cli.js';

const LAB_PREFIX = '127.61'; // the in-process hierarchy: 127.61.0.1 … 127.61.2.4
const SERVE_ADDR = '127.61.9.1';
const BUSY_ADDR = '127.61.9.2';
const LAB_CLI_PREFIX = '127.62';
const LAB_CLI_LISTEN = '127.61.9.3';

let lab: Lab;
let labPort = 0;
let dir = '';
let hints = '';

beforeAll(async () => {
  assertCliBuilt();
  labPort = await freeUdpTcpPort(labServers(LAB_PREFIX).map((s) => s.address));
  lab = await startLab({ port: labPort, prefix: LAB_PREFIX });
  dir = mkdtempSync(join(tmpdir(), 'rootline-clitest-'));
  hints = join(dir, 'named.root');
  await lab.writeRootHints(hints);
});

afterAll(async () => {
  await killAllCli();
  await lab?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  await killAllCli();
  for (const s of lab.servers) s.log.length = 0;
});

/** Starts `rootline serve` on SERVE_ADDR against the lab and waits for its 'listening' log line (level info). */
async function startServe(extra: string[]): Promise<{ p: CliProcess; port: number }> {
  const port = await freeUdpTcpPort([SERVE_ADDR]);
  const p = spawnCli(['serve', '--listen', `${SERVE_ADDR}:${port}`, '--root-hints', hints, '--no-dnssec-validation', '--upstream-port', String(labPort), ...extra]);
  await p.waitForOutput(/listening/, 8000);
  return { p, port };
}

const query = (port: number, name: string, type = 'A') => ask(SERVE_ADDR, port, name, type, { timeoutMs: 3000 });

const jsonObject = (line: string): Record<string, unknown> | null => {
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
};
const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');

describe('rootline serve', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`answers a query through the hierarchy, then exits 0 on ${signal} and frees its port`, async () => {
      const { p, port } = await startServe(['--log-format', 'json']);
      const r = await query(port, 'www.example.com');
      expect(r.rcode).toBe('NOERROR');
      expect(datas(r)).toEqual(['192.0.2.80']);
      process.kill(p.pid, signal);
      const exit = await p.waitForExit(4000);
      expect(exit).toEqual({ code: 0, signal: null });
      const shutdown = lines(p.stdout()).map(jsonObject).find((o) => o?.event === 'shutdown');
      expect(shutdown?.signal).toBe(signal);
      // The sockets are gone with it: the same address and port bind again.
      const again = net.createServer();
      await new Promise<void>((ok, fail) => { again.once('error', fail); again.listen(port, SERVE_ADDR, () => ok()); });
      await new Promise<void>((ok) => again.close(() => ok()));
    }, 15_000);
  }

  it('--log-format json: every output line is a pino JSON object; --query-log adds one line per client query', async () => {
    const { p, port } = await startServe(['--log-format', 'json', '--log-level', 'info', '--query-log']);
    const asked = [
      { name: 'www.example.com', rcode: 0 },
      { name: 'www.example.com', rcode: 0 },
      { name: 'nope.example.com', rcode: 3 },
    ];
    for (const q of asked) await query(port, q.name);
    const out = await p.waitForOutput(/(?:"event":"query"[^\n]*\n[^]*){3}/, 4000);
    process.kill(p.pid, 'SIGTERM');
    await p.waitForExit(4000);
    const all = lines(out);
    expect(all.length).toBeGreaterThan(3);
    for (const l of all) {
      const o = jsonObject(l);
      expect(o, `not a JSON object: ${l}`).not.toBeNull();
      expect(typeof o!.level).toBe('number');
      expect(typeof o!.time).toBe('number');
      expect(typeof o!.msg).toBe('string');
    }
    const logged = all.map(jsonObject).filter((o) => o?.event === 'query');
    expect(logged).toHaveLength(asked.length);
    logged.forEach((o, i) => {
      expect(o).toMatchObject({ name: asked[i]!.name, type: 'A', rcode: asked[i]!.rcode });
      expect(String(o!.client)).toMatch(/^127\.\d+\.\d+\.\d+$/);
      expect(typeof o!.ms).toBe('number');
      expect(typeof o!.cached).toBe('boolean');
    });
    // The repeat is answered from cache, the first ask is not.
    expect(logged.map((o) => o!.cached)).toEqual([false, true, false]);
  }, 15_000);

  it('without --query-log there is no per-query line', async () => {
    const { p, port } = await startServe(['--log-format', 'json', '--log-level', 'info']);
    await query(port, 'www.example.com');
    process.kill(p.pid, 'SIGTERM');
    await p.waitForExit(4000);
    expect(lines(p.stdout()).map(jsonObject).filter((o) => o?.event === 'query')).toEqual([]);
    expect(lines(p.stdout()).map(jsonObject).some((o) => o?.event === 'listening')).toBe(true);
  }, 15_000);

  it('--log-format pretty: human-readable lines, none of them a JSON object', async () => {
    const { p, port } = await startServe(['--log-format', 'pretty', '--log-level', 'info']);
    expect(datas(await query(port, 'www.example.com'))).toEqual(['192.0.2.80']);
    process.kill(p.pid, 'SIGTERM');
    expect(await p.waitForExit(4000)).toEqual({ code: 0, signal: null });
    const all = lines(p.stdout() + p.stderr());
    expect(all.some((l) => /INFO/.test(l) && /listening/.test(l))).toBe(true);
    expect(all.filter((l) => jsonObject(l) !== null)).toEqual([]);
  }, 15_000);

  for (const held of ['udp', 'tcp'] as const) {
    it(`exits non-zero with one clear line when the ${held.toUpperCase()} port is already taken`, async () => {
      const port = await freeUdpTcpPort([BUSY_ADDR]);
      let release: () => Promise<void>;
      if (held === 'udp') {
        const s = dgram.createSocket('udp4');
        await new Promise<void>((ok) => s.bind(port, BUSY_ADDR, () => ok()));
        release = () => new Promise<void>((ok) => s.close(() => ok()));
      } else {
        const s = net.createServer();
        await new Promise<void>((ok) => s.listen(port, BUSY_ADDR, () => ok()));
        release = () => new Promise<void>((ok) => s.close(() => ok()));
      }
      try {
        const r = await runCli(['serve', '--listen', `${BUSY_ADDR}:${port}`, '--root-hints', hints, '--no-dnssec-validation', '--log-format', 'json'], 8000);
        expect(r.code).not.toBe(0);
        expect(r.code).not.toBeNull();
        const err = lines(r.stderr);
        expect(err).toHaveLength(1);
        expect(err[0]).toContain(`${BUSY_ADDR}:${port}`);
        expect(err[0]).toMatch(/already in use/);
        expect(err[0]).toMatch(/--listen \S+:\d+/);
        expect(r.stdout).toBe('');
      } finally {
        await release();
      }
    }, 15_000);
  }

  describe('a bad --config file', () => {
    const run = (name: string, text: string) => {
      const file = join(dir, name);
      writeFileSync(file, text);
      return runCli(['serve', '--config', file, '--root-hints', hints, '--no-dnssec-validation'], 8000).then((r) => ({ ...r, file }));
    };

    it('with an unknown key: exits non-zero naming the file, the line and the key', async () => {
      const r = await run('unknown-key.yaml', `listen: ${SERVE_ADDR}:5399\ncache-sise: 100\n`);
      expect(r.code).not.toBe(0);
      expect(r.code).not.toBeNull();
      const err = lines(r.stderr);
      expect(err).toHaveLength(1);
      expect(err[0]).toContain(r.file);
      expect(err[0]).toMatch(/line 2\b/);
      expect(err[0]).toContain("'cache-sise'");
      expect(err[0]).toMatch(/unknown key/);
      expect(err[0]).toContain("did you mean 'cache-size'");
    }, 15_000);

    it('with a bad value: exits non-zero naming the file, the line, the key and what it must be', async () => {
      const r = await run('bad-value.yaml', `# rootline\nlisten: ${SERVE_ADDR}:5399\ncache-size: lots\n`);
      expect(r.code).not.toBe(0);
      expect(r.code).not.toBeNull();
      const err = lines(r.stderr);
      expect(err).toHaveLength(1);
      expect(err[0]).toContain(r.file);
      expect(err[0]).toMatch(/line 3\b/);
      expect(err[0]).toContain("'cache-size'");
      expect(err[0]).toContain("'lots'");
      expect(err[0]).toMatch(/whole number/);
    }, 15_000);
  });
});

describe('bad flag values', () => {
  it('get one line naming the flag and what it takes, no stack trace', async () => {
    for (const [args, pattern] of [
      [['serve', '--log-level', 'loud'], /--log-level takes one of trace, .*got 'loud'/],
      [['serve', '--log-format', 'bogus'], /--log-format takes one of json, pretty, auto, got 'bogus'/],
      [['serve', '--cache-size', 'lots'], /--cache-size takes a whole number, got 'lots'/],
      [['lab', '--prefix', '10.1'], /--prefix must be 127\.N/],
    ] as const) {
      const r = await runCli([...args], 8000);
      expect(r.code).toBe(1);
      const err = lines(r.stderr);
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(pattern);
    }
  }, 30_000);
});

describe('rootline query', () => {
  const args = (...a: string[]) => ['query', ...a, '--root-hints', hints, '--no-dnssec-validation', '--upstream-port', String(labPort)];

  it('prints a dig-like answer with the address', async () => {
    const r = await runCli(args('www.example.com', 'A'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/status: NOERROR/);
    expect(r.stdout).toMatch(/;; QUESTION SECTION:\n;www\.example\.com\.\s+IN\s+A\n/);
    expect(r.stdout).toMatch(/;; ANSWER SECTION:\nwww\.example\.com\.\s+\d+\s+IN\s+A\s+192\.0\.2\.80\n/);
    // No --trace: no server walk.
    expect(r.stdout).not.toMatch(/@127\.61\./);
  }, 15_000);

  it('reports NXDOMAIN with the SOA, and exits 2 on SERVFAIL', async () => {
    const nx = await runCli(args('nope.example.com'));
    expect(nx.stdout).toMatch(/status: NXDOMAIN/);
    expect(nx.stdout).toMatch(/;; AUTHORITY SECTION:\nexample\.com\.\s+\d+\s+IN\s+SOA\s/);
    const lame = await runCli(args('www.lame.com', 'A'));
    expect(lame.stdout).toMatch(/status: SERVFAIL/);
    expect(lame.code).toBe(2);
  }, 15_000);

  it('--trace prints the walk root → TLD → authoritative, one line per server asked', async () => {
    const r = await runCli(args('www.example.com', 'A', '--trace'));
    expect(r.code).toBe(0);
    const ip = LAB_PREFIX.replace('.', '\\.');
    // Depth-0 lines are the walk for the question itself (indented lines: priming and side lookups).
    const walk = r.stdout.split('\n').filter((l) => /^\S.* @127\./.test(l));
    expect(walk).toHaveLength(3);
    expect(walk[0]).toMatch(new RegExp(`^\\. @${ip}\\.0\\.[12] \\([ab]\\.root\\.lab\\.\\): com\\. A → [\\d.]+ ms referral to com\\.`, 'i'));
    expect(walk[1]).toMatch(new RegExp(`^com\\. @${ip}\\.1\\.1 \\(ns\\.nic\\.com\\.\\): example\\.com\\. A → [\\d.]+ ms referral to example\\.com\\.`, 'i'));
    expect(walk[2]).toMatch(new RegExp(`^example\\.com\\. @${ip}\\.2\\.[12] \\(ns[12]\\.example\\.com\\.\\): www\\.example\\.com\\. A → [\\d.]+ ms answer \\(1 records\\)`, 'i'));
    // The answer follows the walk.
    expect(r.stdout.indexOf('ANSWER SECTION')).toBeGreaterThan(r.stdout.indexOf(walk[2]!));
    expect(r.stdout).toMatch(/IN\s+A\s+192\.0\.2\.80/);
  }, 15_000);
});

describe('rootline query --config: policy in the trace', () => {
  const withConfig = (name: string, yaml: string, ...a: string[]) => {
    const file = join(dir, `query-${name}.yaml`);
    writeFileSync(file, yaml);
    return runCli(['query', ...a, '--config', file, '--root-hints', hints, '--no-dnssec-validation', '--upstream-port', String(labPort), '--trace']);
  };

  it('names the stage that answered: local data, a blocklist rule, the rebinding guard', async () => {
    const local = await withConfig('local', 'local-data: ["nas.lan. A 192.168.1.10"]\n', 'nas.lan');
    expect(local.stdout).toMatch(/^policy local-data: NOERROR\n/);
    expect(local.stdout).toMatch(/nas\.lan\.\s+3600\s+IN\s+A\s+192\.168\.1\.10/);
    expect(local.stdout).not.toMatch(/@127\./);

    const list = join(dir, 'query-ads.txt');
    writeFileSync(list, '# ads\n||example.com^\n');
    const blocked = await withConfig('blocked', `blocklists: [${list}]\nblocklist-mode: nxdomain\n`, 'www.example.com');
    expect(blocked.stdout).toMatch(/^policy blocklist: NXDOMAIN \(EDE 15: blocked by .*query-ads\.txt line 2: example\.com\)/m);
    expect(blocked.stdout).toMatch(/status: NXDOMAIN/);

    const guarded = await withConfig('guard', 'private-addresses: [192.0.2.0/24]\n', 'www.example.com');
    expect(guarded.stdout).toMatch(/ms answer \(1 records\)\npolicy rebinding-guard: NOERROR \(EDE 15: private address 192\.0\.2\.80 removed/);
    expect(guarded.stdout).not.toMatch(/ANSWER SECTION/);
  }, 20_000);
});

describe('serve --no-qname-minimisation', () => {
  const firstAskedOf = (address: string): string | undefined =>
    lab.servers.find((s) => s.address === address)?.log.find((e) => !(e.name === '.' || e.name === ''))?.name.toLowerCase();

  const resolveWith = async (extra: string[]) => {
    const { p, port } = await startServe(['--log-format', 'json', '--log-level', 'info', ...extra]);
    expect(datas(await query(port, 'www.example.com'))).toEqual(['192.0.2.80']);
    process.kill(p.pid, 'SIGTERM');
    expect(await p.waitForExit(4000)).toEqual({ code: 0, signal: null });
  };

  it('sends the TLD server the full name; by default it gets only the next label', async () => {
    const com = `${LAB_PREFIX}.1.1`;
    await resolveWith(['--no-qname-minimisation']);
    expect(firstAskedOf(com)).toBe('www.example.com');
    for (const s of lab.servers) s.log.length = 0;
    await resolveWith([]);
    expect(firstAskedOf(com)).toBe('example.com');
  }, 20_000);
});

describe('rootline lab', () => {
  it('starts the hierarchy and a resolver, prints dig commands that work, and stops on SIGTERM', async () => {
    const port = await freeUdpTcpPort(labServers(LAB_CLI_PREFIX).map((s) => s.address));
    const listenPort = await freeUdpTcpPort([LAB_CLI_LISTEN]);
    const hintsFile = join(dir, 'lab-cli.root');
    const p = spawnCli(['lab', '--port', String(port), '--prefix', LAB_CLI_PREFIX, '--listen', `${LAB_CLI_LISTEN}:${listenPort}`, '--hints-file', hintsFile]);
    await p.waitForOutput(/Ctrl-C stops everything/, 8000);
    const out = p.stdout();
    expect(out).toContain(`authoritative servers on ${LAB_CLI_PREFIX}.x.y:${port}`);
    expect(out).toContain(`dig @${LAB_CLI_LISTEN} -p ${listenPort} www.example.com A`);
    const anchorFile = join(dir, 'lab.root.ds');
    expect(out).toContain(`--root-hints ${hintsFile} --trust-anchor-file ${anchorFile} --upstream-port ${port}`);
    expect(out).toContain(`trust anchor: ${anchorFile}`);
    expect(readFileSync(hintsFile, 'utf8')).toContain(`${LAB_CLI_PREFIX}.0.1`);
    expect(readFileSync(anchorFile, 'utf8')).toMatch(/^\. 3600 IN DS \d+ 13 2 [0-9A-F]{64}\n$/);
    const r = await ask(LAB_CLI_LISTEN, listenPort, 'www.example.com', 'A', { timeoutMs: 3000 });
    expect(r.rcode).toBe('NOERROR');
    expect(datas(r)).toEqual(['192.0.2.80']);
    // The lab's own authoritative servers answer too (the resolver did not go to the in-process lab).
    const direct = await ask(`${LAB_CLI_PREFIX}.2.1`, port, 'www.example.com', 'A', { timeoutMs: 3000, rd: false });
    expect(datas(direct)).toEqual(['192.0.2.80']);
    process.kill(p.pid, 'SIGTERM');
    expect(await p.waitForExit(4000)).toEqual({ code: 0, signal: null });
  }, 20_000);
});
