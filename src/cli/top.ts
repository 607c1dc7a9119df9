// `rootline top`: a terminal screen, redrawn every second from the control socket — queries per second, hit
// ratio, p50/p99 answer time, top names and clients, SERVFAIL reasons, the slowest upstream servers. Fits a
// plain 80×24 terminal; q (or Ctrl-C) quits; a server that does not answer is one line and exit status 1.
import { sendControl } from '../control/client.js';
import type { TopView } from '../control/answer.js';
import { clientSocketPath } from '../control/path.js';
import { loadConfigFile } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { HIT_SAMPLE, percentileMs } from '../observe/live-view.js';
import { absolute } from '../wire/names.js';

export interface TopFlags {
  control?: string;
  config?: string;
  interval?: number;
}

const WIDTH = 80;
const ROWS_PER_TABLE = 5;
const REQUEST_TIMEOUT_MS = 2000;

function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h > 0 ? `${h}h ${m}m` : `${m}m ${seconds % 60}s`;
}

const fit = (text: string, width: number): string => (text.length > width ? text.slice(0, width - 1) + '…' : text.padEnd(width));
const ms = (v: number | null): string => (v === null ? '-' : v === Infinity ? '>5 s' : v >= 1000 ? `${v / 1000} s` : `${v} ms`);

/** The screen for one refresh; `prev` (the last view and when) gives the rates. */
export function renderTop(view: TopView, prev: { view: TopView; atMs: number } | null, nowMs: number): string[] {
  const c = view.counters;
  const seconds = prev ? Math.max(0.001, (nowMs - prev.atMs) / 1000) : 0;
  const rate = (now: number, before: number | undefined): string => (prev && before !== undefined ? ((now - before) / seconds).toFixed(1) : '-');
  // Hits are answered in microseconds: they all belong in the first bucket of the answer-time histogram.
  const latency = view.latency.map((n, b) => (b === 0 ? n + c.answerCacheHits : n));
  const hitRatio = c.queries > 0 ? `${((100 * c.answerCacheHits) / c.queries).toFixed(1)}%` : '-';
  const half = Math.floor(WIDTH / 2) - 1;
  const pair = (left: string, right: string): string => fit(left, half) + '  ' + fit(right, half);
  const lines = [
    fit(`rootline top — ${view.addresses.join(' ')} — up ${duration(view.uptimeSeconds)} — ${view.workers} worker${view.workers > 1 ? 's' : ''}`, WIDTH - 10) + '  q: quit',
    '',
    `queries/s ${rate(c.queries, prev?.view.counters.queries).padStart(8)}   hit ratio ${hitRatio.padStart(6)}   p50 ${ms(percentileMs(latency, 0.5))}   p99 ${ms(percentileMs(latency, 0.99))}`,
    `SERVFAIL/s ${rate(c.servfail, prev?.view.counters.servfail).padStart(7)}   NXDOMAIN/s ${rate(c.nxdomain, prev?.view.counters.nxdomain).padStart(7)}   blocked/s ${rate(c.blocked, prev?.view.counters.blocked).padStart(7)}   dropped/s ${rate(c.dropped, prev?.view.counters.dropped)}`,
    '',
    pair('TOP NAMES (lately)', 'TOP CLIENTS (lately)'),
  ];
  for (let i = 0; i < ROWS_PER_TABLE; i++) {
    const n = view.topNames[i];
    const cl = view.topClients[i];
    lines.push(pair(n ? `${String(n.count).padStart(7)}  ${absolute(n.key)}` : '', cl ? `${String(cl.count).padStart(7)}  ${cl.key}` : ''));
  }
  lines.push('', 'TOP SERVFAIL REASONS (lately)');
  const reasons = view.topServfail.slice(0, 3);
  if (reasons.length === 0) lines.push('        none');
  for (const r of reasons) lines.push(fit(`${String(r.count).padStart(7)}  ${r.key}`, WIDTH));
  lines.push('', 'SLOWEST UPSTREAM SERVERS (smoothed RTT)');
  const slow = view.slowServers.slice(0, 4);
  if (slow.length === 0) lines.push('        none asked more than once yet');
  for (const h of slow) lines.push(fit(`${ms(Math.round(h.srttMs!)).padStart(9)}  ${h.server.padEnd(22)} ${h.zones.map(absolute).join(' ')}`, WIDTH));
  lines.push('', fit(`counts halve every 30 s; clients of cache hits: 1 in ${HIT_SAMPLE} counted ${HIT_SAMPLE}×`, WIDTH));
  return lines.slice(0, 24);
}

async function socketPath(flags: TopFlags): Promise<string> {
  if (flags.control) return flags.control;
  const config: Partial<Config> | null = flags.config ? await loadConfigFile(flags.config).catch(() => null) : null;
  return clientSocketPath(config?.controlSocket ? { controlSocket: config.controlSocket } : null, flags.config);
}

export async function runTop(flags: TopFlags): Promise<void> {
  const path = await socketPath(flags);
  const fetchView = async (): Promise<TopView | string> => {
    const sent = await sendControl(path, { cmd: 'top' }, REQUEST_TIMEOUT_MS);
    if (sent.kind === 'unreachable') return `no answer on ${path} (${sent.why}): is rootline running? Point --control at its control-socket.`;
    return sent.reply.ok ? (sent.reply.result as TopView) : sent.reply.error;
  };
  const first = await fetchView();
  if (typeof first === 'string') {
    process.stderr.write(`rootline top: ${first}\n`);
    process.exit(1);
  }
  const out = process.stdout;
  const quit = (code: number): never => {
    out.write('\x1b[?25h\n'); // cursor back
    process.exit(code);
  };
  if (process.stdin.isTTY) process.stdin.setRawMode(true);
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (key: string) => {
    if (key === 'q' || key === 'Q' || key === '\u0003') quit(0);
  });
  process.on('SIGINT', () => quit(0));
  let prev: { view: TopView; atMs: number } | null = null;
  const draw = (view: TopView): void => {
    const now = Date.now();
    out.write('\x1b[?25l\x1b[H\x1b[2J' + renderTop(view, prev, now).join('\n'));
    prev = { view, atMs: now };
  };
  draw(first);
  const intervalMs = Math.max(200, (flags.interval ?? 1) * 1000);
  for (;;) {
    await new Promise((r) => setTimeout(r, intervalMs));
    const view = await fetchView();
    if (typeof view === 'string') {
      out.write(`\x1b[H\x1b[2Jrootline top: ${view}\n`);
      quit(1);
    }
    draw(view as TopView);
  }
}
