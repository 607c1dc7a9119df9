// The servers under test and how each is started: rootline (built binary), Unbound (iterator only),
// bns (Node peer). Each gets one worker thread, the lab's root hints and its own 127.0.0.x address.
import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startProcess } from './proc.mjs';

/** Does `rootline serve --help` list a flag? (--workers is added later; pass it only when it exists.) */
function rootlineHasFlag(repo, flag) {
  try {
    const help = execFileSync('node', [join(repo, 'dist/cli.js'), 'serve', '--help'], { encoding: 'utf8', timeout: 10000 });
    return help.includes(flag);
  } catch {
    return false;
  }
}

/** rootline built in `dir` (the repo, or another checkout for a before/after run), on `host`. */
function rootlineTarget({ id, label, host, dir, rootHintsPath, workDir, port, domains }) {
  return {
    id,
    label,
    host,
    port,
    start() {
      const args = [join(dir, 'dist/cli.js'), 'serve', '--listen', `${this.host}:${port}`, '--root-hints', rootHintsPath, '--log-level', 'warn'];
      if (rootlineHasFlag(dir, '--workers')) args.push('--workers', '1');
      // Unbound runs the iterator module only (no validator) and the lab is unsigned: the same for rootline.
      if (rootlineHasFlag(dir, '--no-dnssec-validation')) args.push('--no-dnssec-validation');
      // The default cache (100,000 RRsets) holds a few thousand domains; raise it only for bigger sets.
      if (domains * 10 > 100_000 && rootlineHasFlag(dir, '--cache-size')) args.push('--cache-size', String(domains * 10));
      // ROOTLINE_BENCH_NODE_FLAGS: extra node flags for rootline only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
      const nodeFlags = (process.env.ROOTLINE_BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
      args.unshift(...nodeFlags);
      this.command = `node ${args.join(' ')}`;
      return startProcess(id, 'node', args, { logFile: join(workDir, `${id}.log`), cwd: dir });
    },
  };
}

export function resolverTargets({ repo, rootHintsPath, workDir, port, domains }) {
  const common = { rootHintsPath, workDir, port, domains };
  return [
    rootlineTarget({ id: 'rootline', label: 'rootline', host: '127.0.0.21', dir: repo, ...common }),
    // ROOTLINE_BENCH_BASE=DIR: another built checkout (e.g. the commit before a change) as "rootline-base", for a
    // before/after comparison in one run (`--order rootline-base,rootline,unbound`).
    ...(process.env.ROOTLINE_BENCH_BASE ? [rootlineTarget({ id: 'rootline-base', label: 'rootline (base)', host: '127.0.0.24', dir: process.env.ROOTLINE_BENCH_BASE, ...common })] : []),
    {
      id: 'unbound',
      label: 'Unbound',
      host: '127.0.0.22',
      port,
      start() {
        const conf = join(workDir, 'unbound.conf');
        writeFileSync(conf, [
          'server:',
          `  interface: ${this.host}@${port}`,
          `  port: ${port}`,
          '  num-threads: 1',
          '  do-ip4: yes',
          '  do-ip6: no',
          '  do-udp: yes',
          '  do-tcp: yes',
          '  so-reuseport: no',
          `  root-hints: "${rootHintsPath}"`,
          '  do-not-query-localhost: no',
          '  module-config: "iterator"',
          '  access-control: 127.0.0.0/8 allow',
          '  username: ""',
          '  chroot: ""',
          `  directory: "${workDir}"`,
          `  pidfile: "${join(workDir, 'unbound.pid')}"`,
          '  use-syslog: no',
          '  logfile: ""',
          '  verbosity: 0',
          '  msg-cache-size: 256m',
          '  rrset-cache-size: 512m',
          '  key-cache-size: 4m',
          '  neg-cache-size: 16m',
          '  infra-cache-numhosts: 100000',
          // Unbound answers these names itself by default (RFC 6761/7686/8375); the lab may use them as real zones.
          ...['test.', 'invalid.', 'example.', 'onion.', 'home.arpa.', 'local.'].map((z) => `  local-zone: "${z}" nodefault`),
          'remote-control:',
          '  control-enable: no',
          '',
        ].join('\n'));
        this.command = `unbound -d -c ${conf}`;
        return startProcess('unbound', 'unbound', ['-d', '-c', conf], { logFile: join(workDir, 'unbound.log') });
      },
    },
    {
      id: 'bns',
      label: 'bns',
      host: '127.0.0.23',
      port,
      start() {
        const args = [join(repo, 'scripts/bench/bns-server.mjs'), '--listen', `${this.host}:${port}`, '--root-hints', rootHintsPath];
        this.command = `node ${args.join(' ')}`;
        return startProcess('bns', 'node', args, { logFile: join(workDir, 'bns.log'), cwd: repo });
      },
    },
  ];
}

/** The bare Node UDP responder: the ceiling for any Node DNS server on this machine. */
export function bareTarget({ repo, workDir, port }) {
  return {
    id: 'bare-node',
    label: 'bare Node UDP',
    host: '127.0.0.25',
    port,
    start() {
      const args = [join(repo, 'scripts/bench/bare-responder.mjs'), '--listen', `${this.host}:${port}`];
      this.command = `node ${args.join(' ')}`;
      return startProcess('bare-node', 'node', args, { logFile: join(workDir, 'bare.log'), cwd: repo });
    },
  };
}
