// Child processes of the benchmark: spawn, remember, wait for a DNS answer, read memory/CPU from /proc, and kill by PID.
// Every process started here is in `children` until it exits, so cleanup can always find it.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, createWriteStream } from 'node:fs';
import dgram from 'node:dgram';

/** @type {Map<number, {name: string, child: import('node:child_process').ChildProcess, exited: Promise<number|null>}>} */
const children = new Map();

/** Start a long-running process; stdout/stderr go to logFile. */
export function startProcess(name, cmd, args, { logFile, cwd, env } = {}) {
  const child = spawn(cmd, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (logFile) {
    const out = createWriteStream(logFile);
    child.stdout.pipe(out);
    child.stderr.pipe(out);
  } else {
    child.stdout.resume();
    child.stderr.resume();
  }
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null)));
    child.on('error', () => resolve(-2));
  });
  if (child.pid === undefined) throw new Error(`could not start ${name} (${cmd})`);
  const rec = { name, child, exited };
  children.set(child.pid, rec);
  exited.then(() => children.delete(child.pid));
  return { pid: child.pid, name, exited, child };
}

/** SIGTERM by PID, SIGKILL after graceMs if still there. */
export async function stopProcess(p, graceMs = 3000) {
  const rec = children.get(p.pid);
  if (!rec) return;
  try { process.kill(p.pid, 'SIGTERM'); } catch { /* already gone */ }
  const t = new Promise((r) => setTimeout(r, graceMs, 'timeout'));
  if ((await Promise.race([rec.exited, t])) === 'timeout') {
    try { process.kill(p.pid, 'SIGKILL'); } catch { /* already gone */ }
    await Promise.race([rec.exited, new Promise((r) => setTimeout(r, 1000))]);
  }
  children.delete(p.pid);
}

/** Synchronous last-resort cleanup (signal handlers, exit): SIGKILL every child we still know. */
export function killAllSync() {
  for (const pid of children.keys()) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  children.clear();
}

export async function stopAll() {
  await Promise.all([...children.values()].map((r) => stopProcess({ pid: r.child.pid })));
}

/** Run a command to completion with a hard time limit; returns stdout text (or feeds lines to onLine). */
export function runToEnd(cmd, args, { timeoutMs, onLine } = {}) {
  return new Promise((resolve) => {
    const p = startProcess(cmd, cmd, args);
    let stdout = '';
    let stderr = '';
    let pending = '';
    p.child.stdout.removeAllListeners('data');
    p.child.stdout.on('data', (buf) => {
      const s = buf.toString();
      if (!onLine) { stdout += s; return; }
      pending += s;
      let i;
      while ((i = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 1);
        if (!onLine(line)) stdout += line + '\n';
      }
    });
    p.child.stderr.on('data', (b) => { stderr += b.toString(); });
    let timedOut = false;
    const timer = timeoutMs ? setTimeout(() => { timedOut = true; stopProcess(p, 1000); }, timeoutMs) : null;
    p.exited.then((code) => {
      if (timer) clearTimeout(timer);
      if (pending && (!onLine || !onLine(pending))) stdout += pending;
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/** Is host:port free for UDP? (So a stale server cannot answer in a fresh resolver's place.) */
export function udpPortFree(host, port) {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => { s.close(); resolve(false); });
    s.bind(port, host, () => s.close(() => resolve(true)));
  });
}

function encodeQuery(id, name, qtype) {
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
  const parts = [Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const l of labels) parts.push(Buffer.from([l.length]), Buffer.from(l, 'ascii'));
  parts.push(Buffer.from([0, qtype >> 8, qtype & 0xff, 0, 1]));
  return Buffer.concat(parts);
}

/**
 * Send one query (RD set) until any response with our ID arrives or the deadline passes.
 * Returns { ok, rcode, ms } — a SERVFAIL still proves the server is up.
 */
export function waitForDns(host, port, { name = '.', qtype = 2, totalMs = 20000, tryMs = 250, proc } = {}) {
  const start = Date.now();
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    let done = false;
    let timer;
    const finish = (r) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.close();
      resolve(r);
    };
    let id = 0;
    const sent = new Set(); // a slow first answer to an earlier try still counts
    s.on('message', (msg) => {
      if (msg.length >= 12 && sent.has(msg.readUInt16BE(0))) finish({ ok: true, rcode: msg[3] & 0x0f, ms: Date.now() - start });
    });
    s.on('error', () => {});
    const attempt = () => {
      if (Date.now() - start > totalMs) return finish({ ok: false, reason: `no answer on ${host}:${port} within ${totalMs} ms` });
      if (proc && !children.has(proc.pid)) return finish({ ok: false, reason: `${proc.name} exited before answering` });
      id = (id + 1) & 0xffff;
      sent.add(id);
      s.send(encodeQuery(id, name, qtype), port, host);
      timer = setTimeout(attempt, tryMs);
    };
    s.bind(0, '127.0.0.1', attempt);
  });
}

function descendants(pid) {
  const parentOf = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(d), ppid);
    } catch { /* raced with exit */ }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    for (const [c, p] of parentOf) if (p === out[i]) out.push(c);
  }
  return out;
}

/** Memory (kB) and CPU (s) of a process and its descendants: VmRSS, VmHWM (peak), utime+stime (and stime alone). */
export function procStats(pid) {
  let rssKb = 0;
  let hwmKb = 0;
  let cpuTicks = 0;
  let sysTicks = 0;
  for (const p of descendants(pid)) {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      rssKb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      hwmKb += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpuTicks += Number(f[11]) + Number(f[12]); // fields 14, 15 of proc(5): utime, stime
      sysTicks += Number(f[12]);
    } catch { /* raced with exit */ }
  }
  return { rssKb, hwmKb, cpuSec: cpuTicks / 100, sysSec: sysTicks / 100 }; // USER_HZ is 100 on Linux
}
