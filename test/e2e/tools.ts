// End-to-end plumbing: which prerequisites exist, child processes we start (and stop by PID), dig output parsing.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { answersUdp } from '../../scripts/lib/hierarchy.mjs';

function which(cmd: string): string | null {
  for (const dir of ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/bin', '/usr/local/sbin']) {
    if (existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return null;
}

export const tools = { nsd: which('nsd'), unbound: which('unbound'), dig: which('dig') };

type Tool = keyof typeof tools;

/** What is missing for the end-to-end tests (those that need only some of the tools: `needs`), in words; empty when they can run. */
export function missingPrerequisites(needs: readonly Tool[] = ['nsd', 'unbound', 'dig']): string[] {
  const missing: string[] = [];
  if (needs.includes('nsd') && !tools.nsd) missing.push('nsd (Debian package nsd)');
  if (needs.includes('unbound') && !tools.unbound) missing.push('unbound (Debian package unbound)');
  if (needs.includes('dig') && !tools.dig) missing.push('dig (Debian package dnsutils)');
  if (process.getuid?.() !== 0) missing.push('root (NSD and Unbound talk on port 53 of 127.x addresses, as real root hints require)');
  if (!existsSync('dist/cli.js')) missing.push('dist/cli.js (run npm run build)');
  return missing;
}

/** Skip loudly, or fail when ROOTLINE_E2E=required. */
export function e2eGate(suite: string, needs?: readonly Tool[]): boolean {
  const missing = missingPrerequisites(needs);
  if (missing.length === 0) return true;
  const message = `end-to-end suite '${suite}' cannot run; missing: ${missing.join('; ')}`;
  if (process.env.ROOTLINE_E2E === 'required') throw new Error(`${message} (ROOTLINE_E2E=required)`);
  console.warn(`\n!!! SKIPPED: ${message}. Install them (see README) or set ROOTLINE_E2E=required to make this a failure.\n`);
  return false;
}

const children = new Set<ChildProcess>();

export function startChild(cmd: string, args: string[]): ChildProcess {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d) => (err += String(d)));
  child.stdout?.on('data', () => undefined);
  (child as ChildProcess & { errText: () => string }).errText = () => err;
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

export async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

export async function waitForAnswer(address: string, port: number, child: ChildProcess, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited: ${(child as ChildProcess & { errText: () => string }).errText()}`);
    if (await answersUdp(address, port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not answer on ${address}:${port} within 10 s`);
}

/** Unbound iterating from rootHints; `serverLines` go at the end of its server: clause (local-zone, local-data …). */
export function startUnbound(dir: string, port: number, rootHints: string, serverLines: string[] = []): ChildProcess {
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'unbound.conf');
  writeFileSync(
    conf,
    [
      'server:',
      `  interface: 127.0.0.1@${port}`,
      `  port: ${port}`,
      '  do-ip6: no',
      '  access-control: 127.0.0.0/8 allow',
      '  username: ""',
      '  chroot: ""',
      `  directory: "${dir}"`,
      `  pidfile: "${dir}/unbound.pid"`,
      `  root-hints: "${rootHints}"`,
      '  do-not-query-localhost: no',
      '  module-config: "iterator"',
      '  qname-minimisation: yes',
      '  use-syslog: no',
      '  logfile: ""',
      '  verbosity: 0',
      ...serverLines.map((l) => `  ${l}`),
      'remote-control:',
      '  control-enable: no',
      '',
    ].join('\n'),
  );
  return startChild(tools.unbound!, ['-d', '-c', conf]);
}

export interface DigResult {
  status: string;
  flags: string[];
  answer: string[];
  authority: string[];
  raw: string;
}

/** Runs dig against a server on loopback and parses status, flags and the answer/authority records. */
export function dig(port: number, name: string, type: string, extra: string[] = []): DigResult {
  return parseDig(execFileSync(tools.dig!, ['@127.0.0.1', '-p', String(port), name, type, '+time=5', '+tries=1', ...extra], { encoding: 'utf8' }));
}

const execFileAsync = promisify(execFile);

/** As dig, without blocking the event loop: for suites whose authoritative servers run in the test process. */
export async function digAsync(port: number, name: string, type: string, extra: string[] = []): Promise<DigResult> {
  const { stdout } = await execFileAsync(tools.dig!, ['@127.0.0.1', '-p', String(port), name, type, '+time=5', '+tries=1', ...extra], { encoding: 'utf8' });
  return parseDig(stdout);
}

/** dig's output: status, header flags, the answer and authority records, and EDE lines (in `raw`). */
export function parseDig(raw: string): DigResult {
  const status = /status: ([A-Z]+)/.exec(raw)?.[1] ?? 'NONE';
  const flags = (/;; flags: ([a-z ]+);/.exec(raw)?.[1] ?? '').trim().split(/\s+/);
  const section = (title: string): string[] => {
    const m = new RegExp(`;; ${title} SECTION:\\n([\\s\\S]*?)(?:\\n\\n|$)`).exec(raw);
    return m ? m[1]!.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';')) : [];
  };
  return { status, flags, answer: section('ANSWER'), authority: section('AUTHORITY'), raw };
}

/** A record line without its TTL, lower-cased, whitespace folded: for comparing answers across servers. */
export function normalise(line: string): string {
  const f = line.trim().split(/\s+/);
  f.splice(1, 1); // TTL
  return f.join(' ').toLowerCase();
}

export function ttlOf(line: string): number {
  return Number(line.trim().split(/\s+/)[1]);
}
