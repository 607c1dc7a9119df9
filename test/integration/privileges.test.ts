// Privilege drop (--user / --group) against the built binary: started as root on port 53 of a loopback address
// of its own, the server must end up as nobody:nogroup — one process, and with --workers 2 every worker and
// the primary — still answer on port 53, and hand over its control socket to that user. Needs root; where the
// tests do not run as root they are skipped with a loud reason.
import { spawnSync } from 'node:child_process';
import * as dgram from 'node:dgram';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ask, datas } from '../helpers/client.js';
import { assertCliBuilt, CLI_PATH, killAllCli, runCli, spawnCli } from '../helpers/cli.js';

const USER = 'nobody';
const GROUP = 'nogroup';
/** Candidates for our own port-53 address; the first one free on UDP and TCP is used. */
const ADDRESSES = ['127.92.53.1', '127.92.53.2', '127.92.53.3'];

function idOf(file: '/etc/passwd' | '/etc/group', name: string): number | null {
  const line = readFileSync(file, 'utf8').split('\n').find((l) => l.split(':')[0] === name);
  return line ? Number(line.split(':')[2]) : null;
}

const isRoot = process.getuid?.() === 0;
const uid = idOf('/etc/passwd', USER);
const gid = idOf('/etc/group', GROUP);
const skipReason = !isRoot
  ? `not running as root (uid ${process.getuid?.()}): the privilege-drop tests need root to bind port 53 and to setuid`
  : uid === null || gid === null
    ? `no user '${USER}' in /etc/passwd or group '${GROUP}' in /etc/group`
    : null;
if (skipReason) console.warn(`\n*** SKIPPING privilege-drop tests: ${skipReason} ***\n`);

function port53Free(address: string): Promise<boolean> {
  const tcp = new Promise<boolean>((ok) => {
    const s = net.createServer();
    s.once('error', () => ok(false));
    s.listen({ port: 53, host: address, exclusive: true }, () => s.close(() => ok(true)));
  });
  const udp = new Promise<boolean>((ok) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => { s.close(); ok(false); });
    s.bind({ port: 53, address, exclusive: true }, () => s.close(() => ok(true)));
  });
  return Promise.all([tcp, udp]).then((r) => r.every(Boolean));
}

/** The Uid and Gid lines of /proc/PID/status: [real, effective, saved, filesystem]. */
function ids(pid: number): { uid: number[]; gid: number[]; groups: number[] } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const line = (key: string): number[] => (new RegExp(`^${key}:(.*)$`, 'm').exec(status)?.[1] ?? '').trim().split(/\s+/).filter(Boolean).map(Number);
  return { uid: line('Uid'), gid: line('Gid'), groups: line('Groups') };
}

function children(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

describe.skipIf(skipReason !== null)('serve --user / --group (as root, port 53)', () => {
  let dir = '';
  let address = '';

  beforeAll(async () => {
    assertCliBuilt();
    for (const a of ADDRESSES) {
      if (await port53Free(a)) {
        address = a;
        break;
      }
    }
    if (!address) throw new Error(`port 53 is taken on every one of ${ADDRESSES.join(', ')}`);
    dir = mkdtempSync(join(tmpdir(), 'rootline-priv-'));
    // The workers run as the user from the start and read the config themselves; reload reads it as the user too.
    chmodSync(dir, 0o755);
  });

  afterEach(async () => {
    await killAllCli();
  });

  afterAll(async () => {
    await killAllCli();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function configFile(name: string): { config: string; socket: string } {
    const config = join(dir, `${name}.yaml`);
    const socket = join(dir, `${name}.sock`);
    writeFileSync(config, [`listen: ["${address}:53"]`, 'local-data: ["nas.lan. A 192.168.1.10"]', `control-socket: ${socket}`, 'log-format: json', ''].join('\n'));
    chmodSync(config, 0o644);
    return { config, socket };
  }

  const expectUser = (pid: number): void => {
    const got = ids(pid);
    expect(got.uid, `Uid of pid ${pid}`).toEqual([uid, uid, uid, uid]);
    expect(got.gid, `Gid of pid ${pid}`).toEqual([gid, gid, gid, gid]);
    // No supplementary group of root's left (the drop sets just the group; forked workers get none).
    expect(got.groups.filter((g) => g !== gid), `Groups of pid ${pid}`).toEqual([]);
  };

  it('one process: uid/gid are the user\'s, port 53 still answers, the control socket belongs to the user', async () => {
    const { config, socket } = configFile('single');
    const p = spawnCli(['serve', '--config', config, '--user', USER, '--group', GROUP]);
    await p.waitForOutput(/"event":"privileges_dropped"/, 15000);
    expectUser(p.pid);
    expect(datas(await ask(address, 53, 'nas.lan', 'A', { timeoutMs: 3000 }))).toEqual(['192.168.1.10']);
    expect(datas(await ask(address, 53, 'nas.lan', 'A', { tcp: true, timeoutMs: 3000 }))).toEqual(['192.168.1.10']);
    const st = statSync(socket);
    expect(st.uid).toBe(uid);
    expect(st.gid).toBe(gid);
    expect((st.mode & 0o777).toString(8)).toBe('600');
    const status = await runCli(['ctl', 'status', '--control', socket]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`listening: ${address}:53`);
    // A reload after the drop re-reads the config file as the user.
    expect((await runCli(['ctl', 'reload', '--control', socket])).stdout).toMatch(/^reloaded/);
  });

  it('--workers 2: every worker and the primary run as the user, port 53 answers, the socket belongs to the user', async () => {
    const { config, socket } = configFile('workers');
    const p = spawnCli(['serve', '--config', config, '--user', USER, '--group', GROUP, '--workers', '2']);
    await p.waitForOutput(/"event":"privileges_dropped","role":"primary"/, 15000);
    await p.waitForOutput(/"event":"listening"/, 15000);
    const workers = children(p.pid);
    expect(workers).toHaveLength(2);
    for (const w of [p.pid, ...workers]) expectUser(w);
    for (let i = 0; i < 4; i++) expect(datas(await ask(address, 53, 'nas.lan', 'A', { timeoutMs: 3000 }))).toEqual(['192.168.1.10']);
    expect(statSync(socket).uid).toBe(uid);
    const status = await runCli(['ctl', 'status', '--control', socket]);
    expect(status.stdout).toContain(`2 workers (pids ${workers.join(', ')})`);
  });

  it('a worker that dies is forked again as the user and gets the sockets the primary still holds', async () => {
    const { config } = configFile('restart');
    const p = spawnCli(['serve', '--config', config, '--user', USER, '--workers', '2']);
    await p.waitForOutput(/"event":"privileges_dropped","role":"primary"/, 15000);
    const [first] = children(p.pid);
    process.kill(first!, 'SIGKILL');
    await p.waitForOutput(/"event":"worker_exit"/, 5000);
    const deadline = Date.now() + 10_000;
    while ((children(p.pid).length < 2 || children(p.pid).includes(first!)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const now = children(p.pid);
    expect(now).toHaveLength(2);
    for (const w of now) expectUser(w);
    // The new worker answers too: enough queries that both workers see some.
    for (let i = 0; i < 6; i++) expect(datas(await ask(address, 53, 'nas.lan', 'A', { timeoutMs: 3000 }))).toEqual(['192.168.1.10']);
  });

  it('an unknown user or group, or --group alone: one line saying what to do, exit 1, nothing left running', async () => {
    const { config } = configFile('errors');
    for (const [args, pattern] of [
      [['--user', 'no-such-user-rl'], /unknown user 'no-such-user-rl'.*create it/],
      [['--user', USER, '--group', 'no-such-group-rl'], /unknown group 'no-such-group-rl'/],
      [['--group', GROUP], /--group needs --user/],
      [['--user', 'no-such-user-rl', '--workers', '2'], /unknown user 'no-such-user-rl'/],
    ] as const) {
      const r = await runCli(['serve', '--config', config, ...args]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).toContain('[RL_ERR_PRIVILEGES]');
    }
    expect(await port53Free(address)).toBe(true);
  });

  it('not root: --user is refused with one line, unless it names the user the process already is', () => {
    const { config } = configFile('nonroot');
    const setpriv = spawnSync('setpriv', ['--version']);
    if (setpriv.error) {
      console.warn('*** SKIPPING the non-root case: setpriv (util-linux) is not installed ***');
      return;
    }
    const asUser = (args: string[]): ReturnType<typeof spawnSync> =>
      spawnSync('setpriv', ['--reuid', String(uid), '--regid', String(gid), '--clear-groups', process.execPath, CLI_PATH, ...args], { encoding: 'utf8', timeout: 10_000 });
    const refused = asUser(['serve', '--config', config, '--user', 'root', '--listen', '127.0.0.1:1', '--control-socket', 'off']);
    expect(refused.status).toBe(1);
    expect(String(refused.stderr).trim()).toBe('rootline: --user needs root: start as root, or leave --user out [RL_ERR_PRIVILEGES]');
    // Already nobody:nogroup (systemd's User=, or su): --user nobody is nothing to do, so the start goes on to
    // the next step — binding port 53, which a non-root process may not (unless the host lets it).
    const unprivilegedFrom = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim());
    if (unprivilegedFrom <= 53) {
      console.warn(`*** SKIPPING the already-that-user case: net.ipv4.ip_unprivileged_port_start is ${unprivilegedFrom} ***`);
      return;
    }
    const same = asUser(['serve', '--config', config, '--user', USER, '--group', GROUP, '--control-socket', 'off']);
    expect(same.status).toBe(1);
    expect(String(same.stderr)).toMatch(/binding port 53 needs privileges/);
  });
});
