// Runs Debian dnsperf 2.10 against one loopback server and parses its summary plus the per-query
// latencies it prints with -v ("> RCODE name type seconds"), from which mean/p50/p99 are computed.
import { runToEnd } from './proc.mjs';

/** dnsperf may only ever target loopback. */
function assertLoopback(host) {
  if (!/^127\.\d+\.\d+\.\d+$/.test(host)) throw new Error(`refusing to send load to non-loopback ${host}`);
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** Parse dnsperf's "Statistics:" block. */
export function parseSummary(text) {
  const num = (re) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : null;
  };
  const rcodes = {};
  const rc = /Response codes:\s+(.*)/.exec(text);
  if (rc) {
    for (const m of rc[1].matchAll(/([A-Z]+) (\d+) \(/g)) rcodes[m[1]] = Number(m[2]);
  }
  return {
    sent: num(/Queries sent:\s+(\d+)/),
    completed: num(/Queries completed:\s+(\d+)/),
    lost: num(/Queries lost:\s+(\d+)/),
    rcodes,
    runTimeSec: num(/Run time \(s\):\s+([\d.]+)/),
    qps: num(/Queries per second:\s+([\d.]+)/),
    meanLatencyMs: ((v) => (v === null ? null : v * 1000))(num(/Average Latency \(s\):\s+([\d.]+)/)),
  };
}

/**
 * Run dnsperf. mode 'timed': -l seconds over the list repeatedly; mode 'once': each line once (-n 1).
 * `extraArgs` go to dnsperf as they are. Returns the summary plus latency percentiles (ms) from the per-query lines.
 */
export async function dnsperf({ host, port, dataFile, mode, seconds, clients = 4, outstanding, timeoutSec = 5, maxQps, limitSec, extraArgs = [] }) {
  assertLoopback(host);
  const args = ['-s', host, '-p', String(port), '-d', dataFile, '-c', String(clients), '-T', '1', '-t', String(timeoutSec), '-v'];
  if (mode === 'timed') args.push('-l', String(seconds));
  else args.push('-n', '1', '-l', String(limitSec));
  if (outstanding) args.push('-q', String(outstanding));
  if (maxQps) args.push('-Q', String(maxQps));
  args.push(...extraArgs); // e.g. -D: DO=1 on every query
  const hardLimitMs = ((mode === 'timed' ? seconds : limitSec) + timeoutSec + 15) * 1000;

  let lat = new Float64Array(1 << 16);
  let n = 0;
  const onLine = (line) => {
    if (!line.startsWith('> ')) return false;
    const sp = line.lastIndexOf(' ');
    const v = Number(line.slice(sp + 1));
    if (Number.isFinite(v)) {
      if (n === lat.length) {
        const bigger = new Float64Array(lat.length * 2);
        bigger.set(lat);
        lat = bigger;
      }
      lat[n++] = v * 1000;
    }
    return true;
  };
  const r = await runToEnd('dnsperf', args, { timeoutMs: hardLimitMs, onLine });
  const summary = parseSummary(r.stdout);
  if (r.timedOut || summary.qps === null) {
    return { ok: false, error: r.timedOut ? 'dnsperf hit its hard time limit' : `dnsperf failed: ${(r.stderr || r.stdout).trim().slice(-300)}`, command: `dnsperf ${args.join(' ')}` };
  }
  const sorted = lat.subarray(0, n).sort();
  const result = {
    ok: true,
    command: `dnsperf ${args.join(' ')}`,
    ...summary,
    p50LatencyMs: percentile(sorted, 50),
    p99LatencyMs: percentile(sorted, 99),
    latencySamples: n,
  };
  // Kept out of the JSON output, but there for mergeRuns().
  Object.defineProperty(result, 'latencies', { value: sorted, enumerable: false });
  return result;
}

/** Two consecutive 'once' runs as one: times, counts and rcodes summed, percentiles over both runs' latencies. */
export function mergeRuns(a, b) {
  if (!a.ok) return a;
  if (!b.ok) return b;
  const lat = new Float64Array(a.latencies.length + b.latencies.length);
  lat.set(a.latencies);
  lat.set(b.latencies, a.latencies.length);
  lat.sort();
  const rcodes = { ...a.rcodes };
  for (const [k, v] of Object.entries(b.rcodes)) rcodes[k] = (rcodes[k] ?? 0) + v;
  const runTimeSec = a.runTimeSec + b.runTimeSec;
  const completed = a.completed + b.completed;
  return {
    ok: true,
    command: `${a.command}; ${b.command}`,
    sent: a.sent + b.sent,
    completed,
    lost: a.lost + b.lost,
    rcodes,
    runTimeSec: Math.round(runTimeSec * 1e6) / 1e6,
    qps: completed / runTimeSec,
    meanLatencyMs: (a.meanLatencyMs * a.completed + b.meanLatencyMs * b.completed) / Math.max(1, completed),
    p50LatencyMs: percentile(lat, 50),
    p99LatencyMs: percentile(lat, 99),
    latencySamples: lat.length,
  };
}
