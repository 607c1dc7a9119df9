// `rootline ctl` against the built binary on loopback, with one process and with --workers 2: status, stats,
// flush (a name, a zone, everything), reload (caches kept, a broken file refused), query-log, and the one-line
// answers to a mistyped command or a missing server.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ask, datas } from '../helpers/client.js';
import { freeUdpTcpPort, runCli, spawnCli, type CliProcess } from '../helpers/cli.js';
import { useLabRig } from '../helpers/lab-rig.js';

const LAB_PREFIX = '127.63';
const SERVE_ADDR = '127.63.9.1';

const rig = useLabRig(LAB_PREFIX);

const upstreamQueries = (): number => rig.upstreamQueries();

interface Running {
  p: CliProcess;
  port: number;
  config: string;
  socket: string;
  ctl(...args: string[]): ReturnType<typeof runCli>;
  q(name: string, type?: string): ReturnType<typeof ask>;
}

async function serve(name: string, lines: string[], extra: string[] = []): Promise<Running> {
  const port = await freeUdpTcpPort([SERVE_ADDR]);
  const config = join(rig.dir, `${name}.yaml`);
  const socket = join(rig.dir, `${name}.sock`);
  const yaml = (more: string[]): string => ['root-hints: named.root', 'dnssec-validation: false', `upstream-port: ${rig.port}`, `listen: ["${SERVE_ADDR}:${port}"]`, `control-socket: ${socket}`, 'log-format: json', ...more, ''].join('\n');
  writeFileSync(config, yaml(lines));
  const p = spawnCli(['serve', '--config', config, ...extra]);
  await p.waitForOutput(/control_listening/, 15000);
  await p.waitForOutput(/"event":"listening"/, 15000);
  return {
    p,
    port,
    config,
    socket,
    ctl: (...args: string[]) => runCli(['ctl', ...args, '--control', socket]),
    q: (n: string, type = 'A') => ask(SERVE_ADDR, port, n, type, { edns: true, timeoutMs: 3000 }),
  };
}

for (const workers of [1, 2]) {
  describe(`rootline ctl, ${workers} worker${workers > 1 ? 's' : ''}`, () => {
    const extra = workers > 1 ? ['--workers', String(workers)] : [];

    it('status, stats and flush, answered (and summed) by every worker', async () => {
      const s = await serve(`basic${workers}`, ['local-data: ["nas.lan. A 192.168.1.10"]'], extra);
      expect((statSync(s.socket).mode & 0o777).toString(8)).toBe('600');
      for (let i = 0; i < 6; i++) expect(datas(await s.q('www.example.com'))).toEqual(['192.0.2.80']);
      const status = await s.ctl('status');
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/^rootline \d+\.\d+\.\d+, /);
      expect(status.stdout).toContain(`listening: ${SERVE_ADDR}:${s.port}`);
      expect(status.stdout).toContain(`config: ${s.config}`);
      if (workers > 1) expect(status.stdout).toMatch(/2 workers \(pids \d+, \d+\)/);
      const stats = JSON.parse((await s.ctl('stats', '--json')).stdout) as Record<string, number>;
      expect(stats.queries).toBe(6);
      expect(stats.noerror).toBe(6);

      const statusJson = JSON.parse((await s.ctl('status', '--json')).stdout) as { cache: { rrsets: number } };
      expect(statusJson.cache.rrsets).toBeGreaterThan(0);
      const name = await s.ctl('flush', 'www.example.com', 'A');
      expect(name.stdout).toMatch(/^flushed www\.example\.com\. A: [1-9]\d* RRsets/);
      const before = upstreamQueries();
      await s.q('www.example.com');
      expect(upstreamQueries()).toBeGreaterThan(before);
      // The zone and below: its delegation goes too, so the next query asks the com servers again.
      const zone = await s.ctl('flush', '--zone', 'example.com');
      expect(zone.stdout).toMatch(/^flushed zone example\.com\. and below: [1-9]\d* RRsets/);
      const comAddress = `${LAB_PREFIX}.1.1`; // ns.nic.com in the lab
      const com = rig.lab.servers.find((x) => x.address === comAddress)!;
      const comBefore = com.log.length;
      await s.q('www.example.com');
      expect(com.log.length).toBeGreaterThan(comBefore);
      const all = await s.ctl('flush');
      expect(all.stdout).toMatch(/^flushed everything: [1-9]\d* RRsets/);
      expect(JSON.parse((await s.ctl('status', '--json')).stdout).cache.rrsets).toBe(0);
    }, 40_000);

    it('reload applies a new config and keeps the cache; a broken file keeps the old config', async () => {
      const s = await serve(`reload${workers}`, ['local-data: ["nas.lan. A 192.168.1.10"]'], extra);
      for (let i = 0; i < 6; i++) await s.q('www.example.com');
      const cached = (): Promise<number> => s.ctl('status', '--json').then((r) => (JSON.parse(r.stdout) as { cache: { rrsets: number } }).cache.rrsets);
      const before = await cached();
      writeFileSync(s.config, readFileSync(s.config, 'utf8').replace('192.168.1.10', '192.168.1.11'));
      const ok = await s.ctl('reload');
      expect([ok.code, ok.stdout.trim()]).toEqual([0, 'reloaded']);
      for (let i = 0; i < 4; i++) expect(datas(await s.q('nas.lan'))).toEqual(['192.168.1.11']);
      // The caches survive the reload (every worker's: the sizes are summed).
      expect(await cached()).toBeGreaterThanOrEqual(before);
      if (workers === 1) {
        // Cached before the reload, still cached after it: not one upstream query.
        const upstream = upstreamQueries();
        for (let i = 0; i < 4; i++) expect(datas(await s.q('www.example.com'))).toEqual(['192.0.2.80']);
        expect(upstreamQueries()).toBe(upstream);
      }

      writeFileSync(s.config, 'root-hints: named.root\nlocal-dat: oops\n');
      const bad = await s.ctl('reload');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/line 2: unknown key 'local-dat' \(did you mean 'local-data'\?\)/);
      expect(datas(await s.q('nas.lan'))).toEqual(['192.168.1.11']);
      expect(s.p.stdout()).toMatch(/"event":"reload_failed"/);
      expect(s.p.running()).toBe(true);
    }, 40_000);

    it('trace resolves in the running server and shows what came from its cache', async () => {
      const s = await serve(`trace${workers}`, ['local-data: ["nas.lan. A 192.168.1.10"]'], extra);
      // One worker resolves a trace: the first fills its cache, the second shows the cache step.
      await s.ctl('trace', 'www.example.com');
      const cached = await s.ctl('trace', 'www.example.com');
      expect(cached.code).toBe(0);
      expect(cached.stdout).toMatch(/^cache: www\.example\.com\. A → answer$/m);
      expect(cached.stdout).not.toMatch(/ @127\.63\./);
      expect(cached.stdout).toMatch(/ANSWER SECTION:\nwww\.example\.com\.\s+\d+\s+IN\s+A\s+192\.0\.2\.80/);
      const fresh = await s.ctl('trace', 'pool.example.com', 'a');
      expect(fresh.stdout).toMatch(/^example\.com\. @127\.63\.2\.[12] .*pool\.example\.com\. A → [\d.]+ ms answer \(4 records\)$/m);
      const local = await s.ctl('trace', 'nas.lan');
      expect(local.stdout).toMatch(/^policy local-data: NOERROR$/m);
    }, 20_000);

    it('servers shows the health table, and a zone narrows it to the servers asked for that zone', async () => {
      const s = await serve(`servers${workers}`, [], extra);
      await s.q('www.example.com');
      expect((await s.q('www.lame.com')).rcode).toBe('SERVFAIL');
      const table = await s.ctl('servers');
      expect(table.code).toBe(0);
      const lines = table.stdout.split('\n');
      expect(lines[0]).toMatch(/^SERVER\s+ZONES\s+SRTT\s+VAR\s+RTO\s+SENT\s+TIMEOUTS\s+STATE$/);
      expect(table.stdout).toMatch(/^127\.63\.1\.1:\d+\s+com\.\s+[\d.]+\s+[\d.]+\s+\d+\s+[1-9]\d*\s+0\s+ok$/m);
      // www.lame.com's name server is ns.broken.net, whose own server is lame for broken.net.
      const json = JSON.parse((await s.ctl('servers', 'broken.net', '--json')).stdout) as { server: string; zones: string[]; lame: Record<string, number> }[];
      expect(json.length).toBe(1); // merged over workers: one row per server
      expect(json[0]!.zones).toEqual(['broken.net']);
      expect(Object.keys(json[0]!.lame)).toEqual(['broken.net|A']);
      expect((await s.ctl('servers', 'broken.net')).stdout).toMatch(/lame for broken\.net\. A \(\d+m\d\ds left\)/);
    }, 20_000);
  });
}

describe('rootline ctl, single process', () => {
  it('reports settings that need a restart, and switches the query log', async () => {
    const s = await serve('restart', []);
    writeFileSync(s.config, readFileSync(s.config, 'utf8').replace('log-format: json', 'log-format: json\ncache-size: 5000'));
    const r = await s.ctl('reload');
    expect(r.stdout.trim()).toBe('reloaded; needs restart (old value kept): cacheSize');
    expect((await s.ctl('query-log', 'on')).stdout).toMatch(/^query log on/);
    await s.q('www.example.com');
    await s.p.waitForOutput(/"event":"query".*"name":"www\.example\.com"/, 3000);
  }, 20_000);

  it('answers a mistyped command, a missing argument or a missing server in one line', async () => {
    const typo = await runCli(['ctl', 'stauts', '--control', join(rig.dir, 'none.sock')]);
    expect([typo.code, typo.stderr.trim().split('\n').length]).toEqual([2, 1]);
    expect(typo.stderr).toMatch(/unknown command 'stauts'/);
    const missing = await runCli(['ctl', 'query-log', '--control', join(rig.dir, 'none.sock')]);
    expect(missing.code).toBe(2);
    const down = await runCli(['ctl', 'status', '--control', join(rig.dir, 'none.sock')]);
    expect([down.code, down.stderr.trim().split('\n').length]).toEqual([1, 1]);
    expect(down.stderr).toMatch(/no answer on .*none\.sock \(ENOENT\): is rootline running\?/);
  });
});
