// Blocklists in the built binary: a list file named in the config file blocks a name with EDE 15, and SIGHUP
// swaps in the edited list while queries keep flowing — none lost, answers cached before the reload forgotten.
// Child processes on loopback only (127.64.x.y), resolving through an in-process lab hierarchy.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../src/lab/lab.js';
import { labServers } from '../../src/lab/lab-zones.js';
import { ask, datas, edeOf } from '../helpers/client.js';
import { assertCliBuilt, freeUdpTcpPort, killAllCli, spawnCli } from '../helpers/cli.js';

const LAB_PREFIX = '127.64';
const SERVE_ADDR = '127.64.9.1';

let lab: Lab;
let labPort = 0;
let dir = '';

beforeAll(async () => {
  assertCliBuilt();
  labPort = await freeUdpTcpPort(labServers(LAB_PREFIX).map((s) => s.address));
  lab = await startLab({ port: labPort, prefix: LAB_PREFIX });
  dir = mkdtempSync(join(tmpdir(), 'rootline-blcli-'));
  await lab.writeRootHints(join(dir, 'named.root'));
});

afterAll(async () => {
  await killAllCli();
  await lab?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});


describe('rootline serve with blocklists', () => {
  it('blocks listed names, and SIGHUP reloads the list under load without losing a query', async () => {
    const list = join(dir, 'ads.txt');
    writeFileSync(list, '# blocked\n0.0.0.0 pool.example.com\n');
    const config = join(dir, 'rootline.yaml');
    // Relative to the config file, as every path in it.
    writeFileSync(config, ['root-hints: named.root', 'dnssec-validation: false', 'blocklists:', '  - ads.txt', `upstream-port: ${labPort}`, ''].join('\n'));
    const port = await freeUdpTcpPort([SERVE_ADDR]);
    const p = spawnCli(['serve', '--config', config, '--listen', `${SERVE_ADDR}:${port}`, '--log-format', 'json']);
    await p.waitForOutput(/listening/, 8000);
    const q = (name: string) => ask(SERVE_ADDR, port, name, 'A', { edns: true, timeoutMs: 3000 });

    const blocked = await q('x.pool.example.com');
    expect(datas(blocked)).toEqual(['0.0.0.0']);
    expect(edeOf(blocked)).toEqual({ code: 15, text: `blocked by ${list} line 2: pool.example.com` });
    expect(datas(await q('www.example.com'))).toEqual(['192.0.2.80']); // now in the answer cache

    // Queries keep flowing while the new list is read and swapped in.
    let stop = false;
    let sent = 0;
    const failures: string[] = [];
    const load = (async () => {
      while (!stop) {
        sent++;
        try {
          const r = await q('start.example.com');
          if (r.rcode !== 'NOERROR') failures.push(r.rcode ?? 'no rcode');
        } catch (e) {
          failures.push((e as Error).message);
        }
      }
    })();
    writeFileSync(list, '||www.example.com^\n');
    process.kill(p.pid, 'SIGHUP');
    // The summary line of the reload: one name blocked now.
    await p.waitForOutput(/"event":"blocklists_reloaded","blocked":1,/, 5000);
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await load;
    expect(sent).toBeGreaterThan(5);
    expect(failures).toEqual([]);

    // The old list is gone, the new one applies even to what was in the answer cache.
    expect(datas(await q('x.pool.example.com'))).not.toEqual(['0.0.0.0']);
    const nowBlocked = await q('www.example.com');
    expect(datas(nowBlocked)).toEqual(['0.0.0.0']);
    expect(edeOf(nowBlocked)?.text).toBe(`blocked by ${list} line 1: www.example.com`);
    expect(p.running()).toBe(true);
  });

  it('with --workers 2, SIGHUP to every process (as pkill -f sends it) reloads every worker and ends none', async () => {
    const list = join(dir, 'workers.txt');
    writeFileSync(list, '0.0.0.0 pool.example.com\n');
    const config = join(dir, 'workers.yaml');
    writeFileSync(config, ['root-hints: named.root', 'dnssec-validation: false', 'blocklists: [workers.txt]', `upstream-port: ${labPort}`, ''].join('\n'));
    const port = await freeUdpTcpPort([SERVE_ADDR]);
    const p = spawnCli(['serve', '--config', config, '--listen', `${SERVE_ADDR}:${port}`, '--log-format', 'json', '--workers', '2']);
    await p.waitForOutput(/listening/, 15000);
    const q = (name: string) => ask(SERVE_ADDR, port, name, 'A', { edns: true, timeoutMs: 3000 });
    expect(datas(await q('pool.example.com'))).toEqual(['0.0.0.0']);
    writeFileSync(list, '0.0.0.0 www.example.com\n');
    const workers = execFileSync('pgrep', ['-P', String(p.pid)], { encoding: 'utf8' }).trim().split('\n').map(Number);
    expect(workers).toHaveLength(2);
    for (const pid of [p.pid, ...workers]) process.kill(pid, 'SIGHUP');
    // Each worker logs its reload; the lists are per worker, so ask enough times to meet both.
    await p.waitForOutput(/blocklists_reloaded[\s\S]*blocklists_reloaded/, 8000);
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 6; i++) {
      expect(datas(await q('www.example.com'))).toEqual(['0.0.0.0']);
      expect(datas(await q('pool.example.com'))).toHaveLength(4);
    }
    expect(p.stdout()).not.toMatch(/worker_exit/);
    expect(p.running()).toBe(true);
  });
});
