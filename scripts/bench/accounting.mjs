// The round-trip accounting of one cold pass (issue 10), from the delay proxy's query log (every upstream UDP
// query: when it reached the proxy, which server, question, when its reply was handed back) and the load
// generator's span of each name (first send → answer), both in wall-clock ms of the same machine.
//
// Per name, the "sequential round trips" are the longest chain of upstream queries for the name's lineage (the
// name, its ancestors, and names inside its registered domain — e.g. an NS name there) that were asked inside
// its span, each sent after the previous one's reply came back: the round trips it waited for one after another.
// The chain's summed waits are its "network time"; the rest of the answer time is spent elsewhere (CPU,
// queueing in the resolver, timers).

/** Nearest-rank percentile of a sorted array. */
function percentile(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const r2 = (x) => (x === null || x === undefined ? null : Math.round(x * 100) / 100);
const r1 = (x) => (x === null || x === undefined ? null : Math.round(x * 10) / 10);
const canon = (n) => n.toLowerCase().replace(/\.$/, '') || '.';
const TYPES = { 1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 28: 'AAAA', 43: 'DS', 48: 'DNSKEY' };

/** The part of `name` within the name's registered domain (its last two labels) or an ancestor of it. */
function related(clientName, asked) {
  if (asked === '.' || clientName === asked) return true;
  if (clientName.endsWith(`.${asked}`)) return true; // an ancestor
  const labels = clientName.split('.');
  const domain = labels.slice(-2).join('.');
  return labels.length >= 2 && (asked === domain || asked.endsWith(`.${domain}`));
}

/** What an upstream question was, relative to the names asked: for the shape table. */
function shape(asked, clientNames, tlds) {
  if (asked === '.') return 'root (.)';
  if (tlds.has(asked)) return 'TLD name';
  if (clientNames.has(asked)) return 'a name asked';
  const labels = asked.split('.');
  if (labels.length > 2 && /^ns\d*$/.test(labels[0])) return 'NS name';
  return 'other';
}

/**
 * @param {{ t: number, srv: string, role: string|null, name: string|null, type: number|null, replied: number|null }[]} log
 * @param {([number, number] | null | undefined)[]} spans
 * @param {string[]} names
 */
export function accountPass(log, spans, names) {
  const entries = log.filter((e) => e.name !== null).map((e) => ({ ...e, name: canon(e.name) })).sort((a, b) => a.t - b.t);
  const clientNames = new Set(names.map(canon));
  const tlds = new Set(names.map((n) => canon(n).split('.').pop()));

  // Re-sent while the same question to a server was still unanswered: to the same server (a retransmission after
  // a timeout, or a concurrent duplicate the resolver did not join) or to another (a hedge, or the next server).
  const open = new Map(); // name|type -> entries not answered yet at the time
  let resentSame = 0;
  let resentOther = 0;
  let askedAgainAfterAnswer = 0;
  const answeredBefore = new Set(); // srv|name|type answered already
  for (const e of entries) {
    const k = `${e.name}|${e.type}`;
    const list = (open.get(k) ?? []).filter((p) => p.replied === null || p.replied > e.t);
    if (list.some((p) => p.srv === e.srv)) resentSame++;
    else if (list.length > 0) resentOther++;
    else if (answeredBefore.has(`${e.srv}|${k}`)) askedAgainAfterAnswer++;
    list.push(e);
    open.set(k, list);
    if (e.replied !== null) answeredBefore.add(`${e.srv}|${k}`);
  }

  // Shapes: by role, type and what was asked.
  const shapes = {};
  for (const e of entries) {
    const key = `${e.role ?? '?'} · ${TYPES[e.type] ?? e.type} · ${shape(e.name, clientNames, tlds)}`;
    shapes[key] = (shapes[key] ?? 0) + 1;
  }

  // Sequential round trips per name.
  const starts = entries.map((e) => e.t);
  const firstAtOrAfter = (t) => {
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const chains = [];
  const waits = [];
  const others = [];
  for (let i = 0; i < names.length; i++) {
    const span = spans[i];
    if (!span) continue;
    const [s, end] = span;
    const name = canon(names[i]);
    const mine = [];
    for (let j = firstAtOrAfter(s); j < entries.length && entries[j].t <= end; j++) {
      const e = entries[j];
      if (related(name, e.name)) mine.push(e);
    }
    // Longest chain (by count, then by time waited) of queries each sent after the previous one's reply.
    const best = mine.map(() => ({ n: 0, wait: 0 }));
    let top = { n: 0, wait: 0 };
    for (let a = 0; a < mine.length; a++) {
      const ea = mine[a];
      const own = (Math.min(ea.replied ?? end, end) - ea.t);
      let prev = { n: 0, wait: 0 };
      for (let b = 0; b < a; b++) {
        const eb = mine[b];
        if (eb.replied !== null && eb.replied <= ea.t && (best[b].n > prev.n || (best[b].n === prev.n && best[b].wait > prev.wait))) prev = best[b];
      }
      best[a] = { n: prev.n + 1, wait: prev.wait + own };
      if (best[a].n > top.n || (best[a].n === top.n && best[a].wait > top.wait)) top = best[a];
    }
    chains.push(top.n);
    waits.push(top.wait);
    others.push(end - s - top.wait);
  }
  const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const sortedChains = [...chains].sort((a, b) => a - b);
  const histogram = {};
  for (const c of chains) histogram[c] = (histogram[c] ?? 0) + 1;
  return {
    upstreamQueries: entries.length,
    upstreamPerName: r2(entries.length / names.length),
    byRole: Object.fromEntries(['root', 'tld', 'auth'].map((r) => [r, r2(entries.filter((e) => e.role === r).length / names.length)])),
    resentSameServer: resentSame,
    resentOtherServer: resentOther,
    askedAgainAfterAnswer,
    sequentialRoundTrips: { mean: r2(mean(chains)), p50: percentile(sortedChains, 50), p90: percentile(sortedChains, 90), p99: percentile(sortedChains, 99), max: sortedChains.at(-1) ?? null, histogram },
    networkWaitMs: r1(mean(waits)),
    otherMs: r1(mean(others)),
    shapes: Object.fromEntries(Object.entries(shapes).sort((a, b) => b[1] - a[1])),
  };
}

/** The accounting tables of a run (one row per resolver and loss level), in Markdown. */
export function accountingMarkdown(levels) {
  const rows = [
    '| Loss each way | Resolver | Sequential round trips / name: mean | p50 | p90 | p99 | max | Network wait / name ms | Other time / name ms | Re-sent, same server | Re-sent, another server | Asked again after an answer | Upstream / name: root | TLD | auth |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const shapeRows = [];
  for (const lvl of levels) {
    for (const r of Object.values(lvl.results)) {
      const a = r.accounting;
      if (!a) continue;
      const q = a.sequentialRoundTrips;
      rows.push(`| ${lvl.lossPct}% | ${r.label} | ${q.mean} | ${q.p50} | ${q.p90} | ${q.p99} | ${q.max} | ${a.networkWaitMs} | ${a.otherMs} | ${a.resentSameServer} | ${a.resentOtherServer} | ${a.askedAgainAfterAnswer} | ${a.byRole.root} | ${a.byRole.tld} | ${a.byRole.auth} |`);
    }
    const ids = Object.keys(lvl.results).filter((id) => lvl.results[id].accounting);
    const keys = [...new Set(ids.flatMap((id) => Object.keys(lvl.results[id].accounting.shapes)))];
    if (keys.length === 0) continue;
    shapeRows.push(`\nUpstream queries by server role · type · what was asked, at ${lvl.lossPct}% loss:\n`);
    shapeRows.push(`| Query | ${ids.map((id) => lvl.results[id].label).join(' | ')} |`, `|---|${ids.map(() => '---|').join('')}`);
    for (const k of keys) shapeRows.push(`| ${k} | ${ids.map((id) => lvl.results[id].accounting.shapes[k] ?? 0).join(' | ')} |`);
  }
  return `${rows.join('\n')}\n${shapeRows.join('\n')}\n`;
}
