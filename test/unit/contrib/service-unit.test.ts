// contrib/rootline.service: the directives the README promises are there, and `systemd-analyze verify` accepts
// the unit (with ExecStart pointed at a binary that exists here; skipped with a message where systemd-analyze is
// not installed).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const UNIT = readFileSync('contrib/rootline.service', 'utf8');

function directives(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    const eq = line.indexOf('=');
    const key = `${section}.${line.slice(0, eq)}`;
    out.set(key, [...(out.get(key) ?? []), line.slice(eq + 1)]);
  }
  return out;
}

describe('contrib/rootline.service', () => {
  const d = directives(UNIT);
  const one = (key: string): string | undefined => d.get(key)?.at(-1);

  it('runs as the rootline user with only CAP_NET_BIND_SERVICE, and reloads by SIGHUP', () => {
    expect(one('Service.Type')).toBe('simple');
    expect(one('Service.User')).toBe('rootline');
    expect(one('Service.AmbientCapabilities')).toBe('CAP_NET_BIND_SERVICE');
    expect(one('Service.CapabilityBoundingSet')).toBe('CAP_NET_BIND_SERVICE');
    expect(one('Service.ExecStart')).toBe('/usr/local/bin/rootline serve --config /etc/rootline/rootline.yaml');
    expect(one('Service.ExecReload')).toBe('/bin/kill -HUP $MAINPID');
    expect(one('Service.Restart')).toBe('on-failure');
    expect(one('Install.WantedBy')).toBe('multi-user.target');
  });

  it('gives the control socket /run/rootline and the cache /var/lib/rootline on a read-only system', () => {
    expect(one('Service.RuntimeDirectory')).toBe('rootline');
    expect(one('Service.StateDirectory')).toBe('rootline');
    expect(one('Service.ProtectSystem')).toBe('strict');
    for (const k of ['NoNewPrivileges', 'PrivateTmp', 'ProtectHome', 'PrivateDevices', 'RestrictSUIDSGID', 'ProtectKernelTunables']) {
      expect(one(`Service.${k}`), k).toBe('yes');
    }
    expect(one('Service.RestrictAddressFamilies')?.split(' ').sort()).toEqual(['AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_UNIX']);
  });

  const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (analyze.error) console.warn('*** SKIPPING systemd-analyze verify: systemd-analyze is not installed ***');
  it.skipIf(!!analyze.error)('systemd-analyze verify accepts it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rootline-unit-'));
    try {
      // verify checks that ExecStart's program exists: point it at this node binary.
      const unit = join(dir, 'rootline.service');
      writeFileSync(unit, UNIT.replaceAll('/usr/local/bin/rootline', process.execPath));
      const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8', timeout: 20_000 });
      expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
