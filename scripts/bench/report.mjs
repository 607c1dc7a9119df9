// Turns the benchmark results into the Markdown table (with rootline/Unbound and rootline/bns ratios) and JSON.

const METRICS = [
  // key, label, unit, better ('higher' | 'lower'), where ('hit' | 'cold' | 'mem')
  ['hitQps', 'Cache-hit throughput', 'q/s', 'higher'],
  ['hitMeanMs', 'Cache-hit mean latency', 'ms', 'lower'],
  ['hitP99Ms', 'Cache-hit p99 latency', 'ms', 'lower'],
  ['hitLost', 'Cache-hit lost queries', '', 'lower'],
  ['hitCpuSec', 'Cache-hit server CPU', 's', 'lower'],
  ['coldSeconds', 'Cold: time to resolve every name once', 's', 'lower'],
  ['coldQps', 'Cold: names resolved per second', 'q/s', 'higher'],
  ['coldP99Ms', 'Cold: p99 resolution latency', 'ms', 'lower'],
  ['coldNoerror', 'Cold: NOERROR answers', '', 'higher'],
  ['coldServfail', 'Cold: SERVFAIL answers', '', 'lower'],
  ['coldTimeouts', 'Cold: timeouts (lost)', '', 'lower'],
  ['coldCpuSec', 'Cold: server CPU', 's', 'lower'],
  ['peakRssMB', 'Peak RSS (VmHWM)', 'MB', 'lower'],
  ['rssGrowthPer100kMB', 'RSS growth per 100,000 cached names (second half of the cold pass)', 'MB', 'lower'],
  ['rssGrowthWholePassPer100kMB', 'RSS growth per 100,000 names, whole cold pass (incl. one-time costs)', 'MB', 'lower'],
];

/** Flatten one server's phases into the metric keys above. */
export function flatten(r) {
  if (!r || r.error) return {};
  const out = {};
  if (r.hit?.ok) {
    out.hitQps = r.hit.qps;
    out.hitMeanMs = r.hit.meanLatencyMs;
    out.hitP99Ms = r.hit.p99LatencyMs;
    out.hitLost = r.hit.lost;
    out.hitCpuSec = r.hit.cpuSec;
  }
  if (r.cold?.ok) {
    out.coldSeconds = r.cold.runTimeSec;
    out.coldQps = r.cold.qps;
    out.coldP99Ms = r.cold.p99LatencyMs;
    out.coldNoerror = r.cold.rcodes.NOERROR ?? 0;
    out.coldServfail = r.cold.rcodes.SERVFAIL ?? 0;
    out.coldTimeouts = r.cold.lost;
    out.coldCpuSec = r.cold.cpuSec;
  }
  if (r.memory) {
    out.peakRssMB = r.memory.peakRssMB;
    out.rssGrowthPer100kMB = r.memory.rssGrowthPer100kMB;
    out.rssGrowthWholePassPer100kMB = r.memory.rssGrowthWholePassPer100kMB;
  }
  return out;
}

function ratio(a, b) {
  if (a === undefined || b === undefined || a === null || b === null) return null;
  if (b === 0) return a === 0 ? 1 : null;
  return a / b;
}

export function ratios(results) {
  const rl = flatten(results.rootline);
  const ub = flatten(results.unbound);
  const bn = flatten(results.bns);
  const out = { rootlineOverUnbound: {}, rootlineOverBns: {} };
  for (const [key] of METRICS) {
    out.rootlineOverUnbound[key] = ratio(rl[key], ub[key]);
    out.rootlineOverBns[key] = ratio(rl[key], bn[key]);
  }
  return out;
}

function fmt(v, unit) {
  if (v === undefined || v === null || Number.isNaN(v)) return '—';
  if (unit === 'q/s') return Math.round(v).toLocaleString('en-US');
  if (unit === '') return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(v === 0 ? 0 : Math.abs(v) < 0.1 ? 3 : 2);
}

function fmtRatio(v) {
  return v === null || v === undefined ? '—' : `${v.toFixed(2)}×`;
}

export function markdown(doc) {
  const { results, ceilings, ratios: rt, settings, machine } = doc;
  const cols = ['rootline', 'unbound', 'bns'];
  const f = Object.fromEntries(cols.map((c) => [c, flatten(results[c])]));
  const lines = [];
  lines.push(`Run ${doc.finishedAt} — ${settings.domains} domains (${settings.names} query names), cache-hit phase ${settings.duration} s, ` +
    `cold phase ${settings.coldOutstanding} outstanding; ${machine.nproc} CPUs (${machine.cpu}), Node ${machine.node}, ${machine.unbound}, ${machine.nsd}, dnsperf ${machine.dnsperf}, bns ${machine.bns}; load average at start ${machine.loadAvgAtStart?.join(' ')}.`);
  lines.push('');
  lines.push('| Metric | rootline | Unbound | bns | rootline / Unbound | rootline / bns |');
  lines.push('|---|---:|---:|---:|---:|---:|');
  for (const [key, label, unit] of METRICS) {
    const l = unit ? `${label} (${unit})` : label;
    lines.push(`| ${l} | ${fmt(f.rootline[key], unit)} | ${fmt(f.unbound[key], unit)} | ${fmt(f.bns[key], unit)} | ${fmtRatio(rt.rootlineOverUnbound[key])} | ${fmtRatio(rt.rootlineOverBns[key])} |`);
  }
  lines.push('');
  lines.push('Ceilings (same machine, same dnsperf settings as the cache-hit phase):');
  lines.push('');
  lines.push('| Ceiling | q/s | mean latency (ms) | p99 latency (ms) | lost | rootline hit q/s as % of it |');
  lines.push('|---|---:|---:|---:|---:|---:|');
  for (const c of Object.values(ceilings)) {
    const h = c.hit?.ok ? c.hit : null;
    const pct = h && f.rootline.hitQps ? `${((100 * f.rootline.hitQps) / h.qps).toFixed(0)}%` : '—';
    lines.push(`| ${c.label} | ${fmt(h?.qps, 'q/s')} | ${fmt(h?.meanLatencyMs, 'ms')} | ${fmt(h?.p99LatencyMs, 'ms')} | ${fmt(h?.lost, '')} | ${pct} |`);
  }
  const problems = [];
  for (const [id, r] of [...Object.entries(results), ...Object.entries(ceilings)]) {
    if (r?.error) problems.push(`- **${r.label ?? id}**: ${r.error}`);
    for (const phase of ['cold', 'hit']) {
      const ph = r?.[phase];
      if (ph && !ph.ok) problems.push(`- **${r.label ?? id}** ${phase} phase: ${ph.error}`);
      const other = ph?.ok ? Object.entries(ph.rcodes).filter(([c]) => c !== 'NOERROR') : [];
      if (other.length) problems.push(`- **${r.label ?? id}** ${phase} phase answered ${other.map(([c, n]) => `${c} ×${n}`).join(', ')} (of ${ph.sent} sent)`);
      if (ph?.ok && ph.lost) {
        const why = id === 'nsd-direct' ? ' — likely NSD response-rate limiting (rrl-ratelimit, 200/s per name and client /24): each dropped answer holds a dnsperf slot for the 5 s timeout, so this ceiling is too low; use more --domains' : '';
        problems.push(`- **${r.label ?? id}** ${phase} phase lost ${ph.lost} of ${ph.sent} queries${why}`);
      }
    }
  }
  if (problems.length) {
    lines.push('');
    lines.push('Problems in this run:');
    lines.push('');
    lines.push(...problems);
  }
  return lines.join('\n') + '\n';
}
