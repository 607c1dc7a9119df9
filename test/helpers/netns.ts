// Network namespaces for tests that need a client outside loopback: two namespaces joined by a veth pair, with
// RFC 5737 TEST-NET-2 addresses (198.51.100.0/24) that exist only inside them. Neither namespace has a route off
// the machine, and nothing here touches the host's own namespace beyond creating and deleting the pair.
// Needs root (CAP_SYS_ADMIN); `netnsUnavailable()` says why not, for describe.skipIf.
import { execFileSync, spawn } from 'node:child_process';
import { CLI_PATH, assertCliBuilt } from './cli.js';

const run = (args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });

/** Null when namespaces can be made here, else the reason (for a skipped suite). */
export function netnsUnavailable(): string | null {
  if (process.platform !== 'linux') return `network namespaces are Linux-only (platform ${process.platform})`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'needs root for `ip netns add` (not uid 0)';
  const probe = `rl-probe-${process.pid}`;
  try {
    run(['netns', 'add', probe]);
  } catch (e) {
    return `\`ip netns add\` failed: ${String((e as { stderr?: string }).stderr ?? (e as Error).message).trim()}`;
  }
  try {
    run(['netns', 'del', probe]);
  } catch {
    // best effort: it was just made, and is empty
  }
  return null;
}

export interface NetnsPair {
  server: string;
  client: string;
  serverAddress: string;
  clientAddress: string;
  /** Deletes both namespaces (and so the veth pair); safe to call twice or after a half-made pair. */
  destroy(): void;
}

/**
 * Two fresh namespaces, unique to this process (rl-srv-PID, rl-cli-PID), joined by a veth pair: 198.51.100.1/24
 * on the server side, 198.51.100.2/24 on the client side, and lo up in both. No default route in either.
 */
export function createNetnsPair(): NetnsPair {
  const id = process.pid;
  const server = `rl-srv-${id}`;
  const client = `rl-cli-${id}`;
  const sIf = `rls${id}`.slice(0, 15);
  const cIf = `rlc${id}`.slice(0, 15);
  const made: string[] = [];
  const destroy = (): void => {
    for (const ns of made.splice(0)) {
      try {
        run(['netns', 'del', ns]);
      } catch {
        // already gone
      }
    }
  };
  try {
    run(['netns', 'add', server]);
    made.push(server);
    run(['netns', 'add', client]);
    made.push(client);
    // Made inside the namespaces directly: the pair never appears in the host's namespace.
    run(['link', 'add', sIf, 'netns', server, 'type', 'veth', 'peer', 'name', cIf, 'netns', client]);
    run(['-n', server, 'addr', 'add', '198.51.100.1/24', 'dev', sIf]);
    run(['-n', client, 'addr', 'add', '198.51.100.2/24', 'dev', cIf]);
    for (const [ns, dev] of [[server, sIf], [client, cIf]] as const) {
      run(['-n', ns, 'link', 'set', 'lo', 'up']);
      run(['-n', ns, 'link', 'set', dev, 'up']);
    }
  } catch (e) {
    destroy();
    throw e;
  }
  return { server, client, serverAddress: '198.51.100.1', clientAddress: '198.51.100.2', destroy };
}

export interface NetnsServer {
  pid: number;
  output(): string;
  /** Resolves once stdout+stderr match; rejects after timeoutMs or when the process exits first. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then SIGKILL after graceMs; resolves with its output once it has exited. */
  stop(graceMs?: number): Promise<string>;
}

/** `node dist/cli.js ARGS` inside namespace `ns`; `ip netns exec` execs in place, so the PID is the server's. */
export function spawnCliIn(ns: string, args: string[]): NetnsServer {
  assertCliBuilt();
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, CLI_PATH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start rootline in ${ns}`);
  const pid = child.pid;
  let out = '';
  let exited = false;
  const waiters = new Set<() => void>();
  const notify = (): void => waiters.forEach((w) => w());
  child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c; notify(); });
  child.stderr.setEncoding('utf8').on('data', (c: string) => { out += c; notify(); });
  const closed = new Promise<void>((done) => child.on('close', () => { exited = true; notify(); done(); }));
  return {
    pid,
    output: () => out,
    waitForOutput: (pattern, timeoutMs = 8000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`timed out waiting for ${pattern} from rootline in ${ns}:\n${out}`)); }, timeoutMs);
        const check = (): void => {
          if (pattern.test(out)) { waiters.delete(check); clearTimeout(timer); resolve(); }
          else if (exited) { waiters.delete(check); clearTimeout(timer); reject(new Error(`rootline in ${ns} exited before printing ${pattern}:\n${out}`)); }
        };
        waiters.add(check);
        check();
      }),
    stop: async (graceMs = 3000) => {
      if (!exited) {
        try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
        const killer = setTimeout(() => { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }, graceMs);
        await closed;
        clearTimeout(killer);
      }
      return out;
    },
  };
}

// Run by `node -e` inside a namespace: sends each query (hex) over UDP from its own socket, one after the other,
// and prints one line per query: the reply in hex, or "-" when none came within the timeout.
const DIG_SCRIPT = `
const dgram = require('node:dgram');
const [server, port, timeoutMs, ...queries] = process.argv.slice(1);
(async () => {
  for (const q of queries) {
    const reply = await new Promise((done) => {
      const s = dgram.createSocket('udp4');
      const t = setTimeout(() => { s.close(); done(null); }, Number(timeoutMs));
      s.on('message', (m) => { clearTimeout(t); s.close(); done(m); });
      s.send(Buffer.from(q, 'hex'), Number(port), server);
    });
    process.stdout.write((reply ? reply.toString('hex') : '-') + '\\n');
  }
})();
`;

/** Sends each query over UDP from inside `ns` to server:port; a reply per query, or null for no reply in timeoutMs. */
export function digIn(ns: string, server: string, port: number, queries: Buffer[], timeoutMs = 2000): Promise<(Buffer | null)[]> {
  return new Promise((resolve, reject) => {
    const args = ['netns', 'exec', ns, process.execPath, '-e', DIG_SCRIPT, server, String(port), String(timeoutMs), ...queries.map((q) => q.toString('hex'))];
    const child = spawn('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const killer = setTimeout(() => child.kill('SIGKILL'), queries.length * timeoutMs + 10_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      const lines = out.split('\n').filter((l) => l !== '');
      if (code !== 0 || lines.length !== queries.length) return reject(new Error(`dig in ${ns} failed (exit ${code}): ${err}`));
      resolve(lines.map((l) => (l === '-' ? null : Buffer.from(l, 'hex'))));
    });
  });
}
