// Warm restart with the built binary: fill the cache from the lab hierarchy, stop, start again with the same
// --cache-file, and count upstream packets: none for what was cached, TTLs lower by the time that passed,
// expired entries gone, a damaged file reported in one line (cold start). Also ctl dump-cache / load-cache,
// and --workers 2 (parts joined by the primary, the whole file loaded by every worker).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ask, datas } from '../helpers/client.js';
import { freeUdpTcpPort, runCli, spawnCli, type CliProcess } from '../helpers/cli.js';
import { useLabRig } from '../helpers/lab-rig.js';

const LAB_PREFIX = '127.65';
const SERVE_ADDR = '127.65.9.1';
const NAMES = ['www.example.com', 'pool.example.com', 'start.example.com', 'www.glueless.org', 'nope.example.com'];

const rig = useLabRig(LAB_PREFIX);

const upstream = (): number => rig.upstreamQueries();

async function serve(name: string, cacheFile: string, extra: string[] = []): Promise<{ p: CliProcess; port: number; socket: string }> {
  const port = await freeUdpTcpPort([SERVE_ADDR]);
  const socket = join(rig.dir, `${name}.sock`);
  const p = spawnCli([
    'serve', '--listen', `${SERVE_ADDR}:${port}`, '--root-hints', join(rig.dir, 'named.root'), '--no-dnssec-validation', '--upstream-port', String(rig.port),
    '--cache-file', cacheFile, '--control-socket', socket, '--log-format', 'json', ...extra,
  ]);
  await p.waitForOutput(/"event":"listening"/, 15000);
  return { p, port, socket };
}

async function stop(p: CliProcess): Promise<void> {
  process.kill(p.pid, 'SIGTERM');
  expect(await p.waitForExit(8000)).toEqual({ code: 0, signal: null });
}

const q = (port: number, name: string) => ask(SERVE_ADDR, port, name, 'A', { edns: true, timeoutMs: 3000 });
const ttl = (r: Awaited<ReturnType<typeof q>>): number => (r.answers?.[0] as { ttl: number } | undefined)?.ttl ?? (r.authorities?.[0] as { ttl: number }).ttl;

describe('warm restart', () => {
  it('answers what it had cached without one upstream query, TTLs counted down by the time that passed', async () => {
    const file = join(rig.dir, 'cache.jsonl');
    const first = await serve('first', file);
    const before = new Map<string, number>();
    for (const n of NAMES) before.set(n, ttl(await q(first.port, n)));
    await stop(first.p);
    expect(first.p.stdout()).toMatch(/"event":"cache_saved".*"rrsets":[1-9]/);
    expect(JSON.parse(readFileSync(file, 'utf8').split('\n')[0]!)).toMatchObject({ format: 'rootline-cache', version: 1 });

    await new Promise((r) => setTimeout(r, 2100));
    const second = await serve('second', file);
    expect(second.p.stdout()).toMatch(/"event":"cache_loaded".*"rrsets":[1-9]/);
    const packets = upstream();
    for (const n of NAMES) {
      const r = await q(second.port, n);
      expect(r.rcode).toBe(n.startsWith('nope') ? 'NXDOMAIN' : 'NOERROR');
      const left = ttl(r);
      expect(left, n).toBeLessThanOrEqual(before.get(n)! - 2);
      expect(left, n).toBeGreaterThan(before.get(n)! - 10);
    }
    expect(upstream()).toBe(packets);
  }, 40_000);

  it('drops what has expired, and starts cold from a damaged file with one warning line', async () => {
    const file = join(rig.dir, 'expired.jsonl');
    const first = await serve('exp1', file);
    expect(datas(await q(first.port, 'www.example.com'))).toEqual(['192.0.2.80']);
    await stop(first.p);
    // Every entry expired an hour ago.
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const aged = lines.map((l, i) => (i === 0 ? l : l.replace(/"expiresAt":\d+/, `"expiresAt":${Date.now() - 3_600_000}`)));
    writeFileSync(file, aged.join('\n') + '\n');
    const second = await serve('exp2', file);
    expect(second.p.stdout()).toMatch(/"event":"cache_loaded".*"rrsets":0,"negative":0,"expired":[1-9]/);
    const packets = upstream();
    expect(datas(await q(second.port, 'www.example.com'))).toEqual(['192.0.2.80']);
    expect(upstream()).toBeGreaterThan(packets);
    await stop(second.p);

    writeFileSync(file, lines.slice(0, 3).join('\n') + '\n{"rrset":{"name":"cut.sho');
    const third = await serve('exp3', file);
    const warnings = third.p.stdout().split('\n').filter((l) => l.includes('cache_file_ignored'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/line 4: not a JSON object \(the file is damaged or was cut short\)/);
    expect(datas(await q(third.port, 'www.example.com'))).toEqual(['192.0.2.80']);
  }, 40_000);

  it('ctl dump-cache and load-cache, and with --workers 2 one file from every worker', async () => {
    const file = join(rig.dir, 'workers.jsonl');
    const s = await serve('w2', file, ['--workers', '2']);
    for (let i = 0; i < 6; i++) await q(s.port, 'www.example.com');
    const dumped = join(rig.dir, 'dumped.jsonl');
    const dump = await runCli(['ctl', 'dump-cache', dumped, '--control', s.socket]);
    expect(dump.stdout).toMatch(/^wrote [1-9]\d* RRsets and \d+ negative answers to /);
    expect(readFileSync(dumped, 'utf8').split('\n').filter((l) => l.includes('"format"'))).toHaveLength(1);
    expect(readFileSync(dumped, 'utf8')).toContain('"name":"www.example.com"');
    await runCli(['ctl', 'flush', '--control', s.socket]);
    const load = await runCli(['ctl', 'load-cache', dumped, '--control', s.socket]);
    expect(load.stdout).toMatch(/^loaded [1-9]\d* RRsets/);
    const packets = upstream();
    for (let i = 0; i < 6; i++) expect(datas(await q(s.port, 'www.example.com'))).toEqual(['192.0.2.80']);
    expect(upstream()).toBe(packets);
    await stop(s.p);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain('"name":"www.example.com"');
    expect(readFileSync(rig.dir + '/workers.jsonl', 'utf8')).not.toMatch(/part-/);
  }, 40_000);
});
