// `rootline top` in a real terminal: tmux runs it at 80×24 against the built server on loopback; the captured
// screen shows the rates, answer times and top names, q quits, and a missing server is one line and exit 1.
import { execFileSync } from 'node:child_process';

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ask } from '../helpers/client.js';
import { CLI_PATH, freeUdpTcpPort, runCli, spawnCli } from '../helpers/cli.js';
import { useLabRig } from '../helpers/lab-rig.js';

const LAB_PREFIX = '127.67';
const SERVE_ADDR = '127.67.9.1';
const hasTmux = ((): boolean => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const rig = useLabRig(LAB_PREFIX);

const tmux = (...args: string[]): string => execFileSync('tmux', args, { encoding: 'utf8' });
const sessionAlive = (name: string): boolean => {
  try {
    tmux('has-session', '-t', name);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(!hasTmux)(hasTmux ? 'rootline top under tmux' : 'rootline top under tmux — SKIPPED: tmux is not installed', () => {
  it('draws the live view in 80×24 and quits on q', async () => {
    const port = await freeUdpTcpPort([SERVE_ADDR]);
    const socket = join(rig.dir, 'top.sock');
    const p = spawnCli(['serve', '--listen', `${SERVE_ADDR}:${port}`, '--root-hints', join(rig.dir, 'named.root'), '--no-dnssec-validation', '--upstream-port', String(rig.port), '--control-socket', socket, '--log-format', 'json']);
    await p.waitForOutput(/"event":"listening"/, 15000);
    for (const name of ['www.example.com', 'pool.example.com', 'www.lame.com']) await ask(SERVE_ADDR, port, name, 'A', { timeoutMs: 5000 });
    const session = `rltop-${process.pid}`;
    tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', `${process.execPath} ${CLI_PATH} top --control ${socket}`);
    try {
      // Two refreshes: the second has rates.
      await new Promise((r) => setTimeout(r, 2500));
      const screen = tmux('capture-pane', '-p', '-t', session).replace(/\n$/, '').split('\n');
      expect(screen.length).toBeLessThanOrEqual(24);
      expect(screen.every((l) => l.length <= 80)).toBe(true);
      expect(screen[0]).toMatch(new RegExp(`^rootline top — ${SERVE_ADDR.replace(/\./g, '\\.')}:${port} — up .* — 1 worker\\s+q: quit$`));
      const text = screen.join('\n');
      expect(text).toMatch(/queries\/s\s+\d+\.\d\s+hit ratio\s+[\d.]+%\s+p50 [\d.]+ m?s\s+p99 [\d.]+ m?s/);
      expect(text).toMatch(/TOP NAMES \(lately\)\s+TOP CLIENTS \(lately\)/);
      expect(text).toMatch(/^\s+1\s+www\.example\.com\.\s+\d+\s+127\.0\.0\.1$/m);
      expect(text).toMatch(/^\s+1\s+no server for lame\.com answered$/m);
      expect(text).toMatch(/SLOWEST UPSTREAM SERVERS/);
      tmux('send-keys', '-t', session, 'q');
      await new Promise((r) => setTimeout(r, 800));
      expect(sessionAlive(session)).toBe(false);
    } finally {
      if (sessionAlive(session)) tmux('kill-session', '-t', session);
    }
  }, 30_000);
});

describe('rootline top without a server', () => {
  it('says so in one line and exits 1', async () => {
    const r = await runCli(['top', '--control', join(rig.dir, 'none.sock')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^rootline top: no answer on .*none\.sock \(ENOENT\): is rootline running\?/);
  });
});
