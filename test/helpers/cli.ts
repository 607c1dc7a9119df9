// Running the built `rootline` binary (dist/cli.js) as a child process in tests: output capture, waiting for
// output or exit with a deadline, and killing by PID whatever a test started.
import { spawn, type ChildProcess } from 'node:child_process';
import * as dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import * as net from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repo's built binary; `npm test` builds it before running vitest. */
export const CLI_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js');

export function assertCliBuilt(): void {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run \`npm run build\` first (npm test does it)`);
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CliProcess {
  child: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout+stderr match; rejects after timeoutMs or if the process exits first. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit status; rejects after timeoutMs. */
  waitForExit(timeoutMs?: number): Promise<Exit>;
  running(): boolean;
}

const started = new Set<CliProcess>();

export function spawnCli(args: string[]): CliProcess {
  assertCliBuilt();
  return spawnProgram(process.execPath, [CLI_PATH, ...args]);
}

/** Like spawnCli for any program (an installed `rootline`, dnsdist), optionally in another directory. */
export function spawnProgram(command: string, args: string[], o: { cwd?: string; env?: Record<string, string> } = {}): CliProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: o.cwd, env: o.env ? { ...process.env, ...o.env } : undefined });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  let out = '';
  let err = '';
  let exit: Exit | null = null;
  const waiters = new Set<() => void>();
  const notify = (): void => waiters.forEach((w) => w());
  child.stdout!.setEncoding('utf8').on('data', (c: string) => { out += c; notify(); });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => { err += c; notify(); });
  // 'close' (not 'exit'): all output has been read by then.
  child.on('close', (code, signal) => { exit = { code, signal }; notify(); });
  const describe = (): string => `${command} ${args.join(' ')}\n--- stdout ---\n${out}\n--- stderr ---\n${err}`;
  const until = <T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
    new Promise((resolvePromise, reject) => {
      const done = (): void => {
        let value: T | undefined;
        try {
          value = check();
        } catch (e) {
          waiters.delete(done);
          clearTimeout(timer);
          reject(e as Error);
          return;
        }
        if (value === undefined) return;
        waiters.delete(done);
        clearTimeout(timer);
        resolvePromise(value);
      };
      const timer = setTimeout(() => {
        waiters.delete(done);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${describe()}`));
      }, timeoutMs);
      waiters.add(done);
      done();
    });
  const p: CliProcess = {
    child,
    pid: child.pid,
    stdout: () => out,
    stderr: () => err,
    running: () => exit === null,
    waitForOutput: (pattern, timeoutMs = 5000) =>
      until(
        () => {
          const both = out + err;
          if (pattern.test(both)) return both;
          if (exit) throw new Error(`exited (${JSON.stringify(exit)}) before printing ${pattern}\n${describe()}`);
          return undefined;
        },
        timeoutMs,
        String(pattern),
      ),
    waitForExit: (timeoutMs = 5000) => until(() => exit ?? undefined, timeoutMs, 'exit'),
  };
  started.add(p);
  child.on('close', () => started.delete(p));
  return p;
}

/** Runs the binary to completion (killed after timeoutMs) and returns its status and output. */
export async function runCli(args: string[], timeoutMs = 10_000): Promise<Exit & { stdout: string; stderr: string }> {
  const p = spawnCli(args);
  const exit = await p.waitForExit(timeoutMs);
  return { ...exit, stdout: p.stdout(), stderr: p.stderr() };
}

/** SIGKILLs, by PID, every child spawned here that is still running, and waits for them to go. */
export async function killAllCli(): Promise<void> {
  const left = [...started].filter((p) => p.running());
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await Promise.all(left.map((p) => p.waitForExit(5000).catch(() => undefined)));
}

/** A port free for both UDP and TCP on every given loopback address (random high ports, a few tries). */
export async function freeUdpTcpPort(addresses: string[]): Promise<number> {
  const tryTcp = (a: string, port: number): Promise<boolean> =>
    new Promise((ok) => {
      const s = net.createServer();
      s.once('error', () => ok(false));
      s.listen({ port, host: a, exclusive: true }, () => s.close(() => ok(true)));
    });
  const tryUdp = (a: string, port: number): Promise<boolean> =>
    new Promise((ok) => {
      const s = dgram.createSocket('udp4');
      s.once('error', () => { s.close(); ok(false); });
      s.bind({ port, address: a, exclusive: true }, () => s.close(() => ok(true)));
    });
  for (let attempt = 0; attempt < 30; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 40000);
    const ok = await Promise.all(addresses.flatMap((a) => [tryTcp(a, port), tryUdp(a, port)]));
    if (ok.every(Boolean)) return port;
  }
  throw new Error(`no port free for UDP and TCP on ${addresses.join(', ')}`);
}
