/* global document, window, location, EventSource, URLSearchParams */
// The rootline dashboard: one page, six views picked by the URL's #fragment, data from the JSON API next to it
// (/api/...). Plain DOM code, no framework and nothing fetched from elsewhere: every element is built with
// textContent, never from HTML strings, so a query name cannot inject markup.
'use strict';

const state = { csrf: '', passwordRequired: false, events: null, timers: [], serverSort: { key: 'sent', desc: true } };

const Node = window.Node;

// ── small helpers ──────────────────────────────────────────────────────────────────────────────────────────
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'className') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}
const $ = (id) => document.getElementById(id);
const main = () => $('main');

function say(text) {
  const s = $('status');
  s.textContent = text;
  clearTimeout(say.timer);
  say.timer = setTimeout(() => (s.textContent = ''), 5000);
}

async function api(path, body) {
  const init = body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': state.csrf }, body: JSON.stringify(body) };
  const res = await fetch(path, { credentials: 'same-origin', ...init });
  const data = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
  if (res.status === 401 && path !== '/api/login') {
    showLogin();
    throw new Error('log in first');
  }
  if (!res.ok) throw new Error(data.error || `HTTP ${res.status}`);
  return data;
}

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];
const rcodeName = (r) => (r === 'dropped' ? 'dropped' : RCODES[r] || String(r));
const pct = (v) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)}%`);
const msText = (v) => (v === null || v === undefined ? '–' : v >= 5000 ? '>5 s' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v * 10) / 10} ms`);
const num = (v) => (v === null || v === undefined ? '–' : Number(v).toLocaleString('en-US'));
const mb = (b) => `${(b / 1048576).toFixed(1)} MB`;
function duration(s) {
  const d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  return d ? `${d}d ${hh}h` : hh ? `${hh}h ${m}m` : `${m}m ${s % 60}s`;
}
function field(label, input) {
  return h('label', {}, label, input);
}

function stopLive() {
  if (state.events) state.events.close();
  state.events = null;
  for (const t of state.timers) clearInterval(t);
  state.timers = [];
}

// ── login ──────────────────────────────────────────────────────────────────────────────────────────────────
function showLogin(message) {
  stopLive();
  $('nav').hidden = true;
  $('logout').hidden = true;
  const password = h('input', { type: 'password', id: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { className: 'error', role: 'alert', id: 'login-error' }, message || '');
  const form = h('form', { onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    try {
      const r = await api('/api/login', { password: password.value });
      state.csrf = r.csrf;
      start();
    } catch (err) {
      error.textContent = err.message;
      password.select();
    }
  } }, field('Password', password), h('button', { type: 'submit', id: 'login-button' }, 'Log in'), error);
  main().replaceChildren(h('section', { className: 'login' }, h('h1', {}, 'rootline dashboard'), form));
  password.focus();
}

// ── Overview ───────────────────────────────────────────────────────────────────────────────────────────────
function card(id, label) {
  return h('div', { className: 'card' }, h('div', { className: 'label' }, label), h('div', { className: 'value', id }, '–'));
}

/** A line chart of points [{t, v}] as SVG (v null: a gap); max: the y-axis top (null: from the data); the scale goes in `scale`. */
function lineChart(svg, scale, points, max, format) {
  const W = 600, H = 120, pad = 4;
  const values = points.map((p) => p.v).filter((v) => v !== null);
  const top = max ?? Math.max(1, ...values) * 1.1;
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  const ns = 'http://www.w3.org/2000/svg';
  const el = (tag, attrs) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    return e;
  };
  const kids = [el('line', { class: 'axis', x1: 0, y1: H - pad, x2: W, y2: H - pad })];
  if (points.length > 1) {
    const t0 = points[0].t, t1 = points[points.length - 1].t;
    let d = '';
    let pen = false;
    for (const p of points) {
      if (p.v === null) { pen = false; continue; }
      const x = ((p.t - t0) / Math.max(1, t1 - t0)) * W;
      const y = H - pad - (p.v / top) * (H - 2 * pad);
      d += `${pen ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)} `;
      pen = true;
    }
    if (d) kids.push(el('path', { class: 'series', d, 'vector-effect': 'non-scaling-stroke' }));
  }
  scale.textContent = points.length > 1 ? `top of the scale ${format(top)} · ${points.length} points, one every 10 s` : 'the first point comes after 10 s';
  svg.replaceChildren(...kids);
}

function showOverview() {
  const svgQps = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  const svgHit = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svgQps.setAttribute('role', 'img');
  svgQps.setAttribute('aria-label', 'queries per second over the last hour');
  svgHit.setAttribute('role', 'img');
  svgHit.setAttribute('aria-label', 'cache hit ratio over the last hour');
  const reasons = h('ul', { className: 'plain', id: 'ov-servfail' });
  const slow = h('ul', { className: 'plain', id: 'ov-slow' });
  main().replaceChildren(
    h('h1', {}, 'Overview'),
    h('div', { className: 'cards' },
      card('ov-queries', 'Queries since start'), card('ov-qps', 'Queries/s'), card('ov-hit', 'Cache hit ratio'),
      card('ov-p50', 'Answer time p50'), card('ov-p99', 'Answer time p99'), card('ov-blocked', 'Blocked'),
      card('ov-servfails', 'SERVFAIL'), card('ov-rtt', 'Upstream RTT'), card('ov-memory', 'Memory (RSS)'),
      card('ov-cache-memory', 'Cache memory'), card('ov-uptime', 'Uptime')),
    h('div', { className: 'charts' },
      h('figure', { className: 'chart' }, h('figcaption', {}, 'Queries/s, last hour'), svgQps, h('div', { className: 'muted scale', id: 'ov-qps-scale' })),
      h('figure', { className: 'chart' }, h('figcaption', {}, 'Cache hit ratio, last hour'), svgHit, h('div', { className: 'muted scale', id: 'ov-hit-scale' }))),
    h('div', { className: 'charts' },
      h('section', { className: 'panel' }, h('h2', {}, 'SERVFAIL by reason (lately)'), reasons),
      h('section', { className: 'panel' }, h('h2', {}, 'Slowest upstream servers'), slow)),
    h('p', { className: 'muted', id: 'ov-updated' }, ''),
  );
  const draw = (v) => {
    $('ov-queries').textContent = num(v.queries);
    $('ov-qps').textContent = v.qps === null ? '–' : v.qps.toFixed(1);
    $('ov-hit').textContent = pct(v.hitRatio);
    $('ov-p50').textContent = msText(v.p50Ms);
    $('ov-p99').textContent = msText(v.p99Ms);
    $('ov-blocked').textContent = `${num(v.blocked)} (${pct(v.blockedShare)})`;
    $('ov-servfails').textContent = num(v.servfail);
    $('ov-rtt').textContent = msText(v.upstreamRttMs);
    $('ov-memory').textContent = mb(v.memory.rssBytes);
    $('ov-cache-memory').textContent = mb(v.memory.caches.rrsets + v.memory.caches.answers + v.memory.caches.negative);
    $('ov-uptime').textContent = duration(v.uptimeSeconds);
    lineChart(svgQps, $('ov-qps-scale'), v.history.map((p) => ({ t: p.t, v: p.qps })), null, (x) => `${x.toFixed(1)}/s`);
    lineChart(svgHit, $('ov-hit-scale'), v.history.map((p) => ({ t: p.t, v: p.hitRatio })), 1, pct);
    reasons.replaceChildren(...(v.servfailReasons.length ? v.servfailReasons.map((r) => h('li', {}, `${r.count} × ${r.key}`)) : [h('li', { className: 'muted' }, 'none')]));
    slow.replaceChildren(...(v.slowServers.length ? v.slowServers.map((s) => h('li', {}, `${s.server}: ${msText(s.srttMs)} (${s.sent} sent)`)) : [h('li', { className: 'muted' }, 'none asked more than once yet')]));
    $('ov-updated').textContent = `Updated ${new Date(v.atMs).toLocaleTimeString()} · ${v.workers} worker${v.workers > 1 ? 's' : ''} · ${v.addresses.join(', ')}`;
  };
  // Live: one Server-Sent Event a second; a poll as the fallback when the stream cannot open.
  const es = new EventSource('/api/events');
  state.events = es;
  es.onmessage = (e) => draw(JSON.parse(e.data));
  es.onerror = () => {
    es.close();
    if (state.events !== es) return;
    state.events = null;
    api('/api/overview').then(draw, (err) => say(err.message));
    state.timers.push(setInterval(() => api('/api/overview').then(draw, () => {}), 2000));
  };
}

// ── Query log ──────────────────────────────────────────────────────────────────────────────────────────────
function showQueries(params) {
  const input = (name, label, short) => field(label, h('input', { type: 'text', name, id: `q-${name}`, value: params.get(name) || '', className: short ? 'short' : undefined }));
  const select = (name, label, options) =>
    field(label, h('select', { name, id: `q-${name}` }, options.map(([v, t]) => h('option', { value: v, selected: (params.get(name) || '') === v }, t))));
  const live = h('input', { type: 'checkbox', id: 'q-live', checked: true });
  const form = h('form', { className: 'inline', id: 'q-form', onsubmit: (e) => { e.preventDefault(); load(); } },
    input('client', 'Client'), input('name', 'Name contains'), input('type', 'Type', true),
    select('rcode', 'Result', [['', 'any'], ['NOERROR', 'NOERROR'], ['NXDOMAIN', 'NXDOMAIN'], ['SERVFAIL', 'SERVFAIL'], ['REFUSED', 'REFUSED'], ['dropped', 'dropped']]),
    select('blocked', 'Blocked', [['', 'any'], ['true', 'blocked'], ['false', 'not blocked']]),
    select('cached', 'Cached', [['', 'any'], ['true', 'from cache'], ['false', 'resolved']]),
    h('button', { type: 'submit' }, 'Filter'),
    h('label', { className: 'check' }, live, 'Live tail'));
  const body = h('tbody', { id: 'q-rows' });
  const table = h('div', { className: 'table-wrap' }, h('table', { className: 'stack' },
    h('caption', { id: 'q-caption' }, 'Newest first'),
    h('thead', {}, h('tr', {}, ['Time', 'Client', 'Name', 'Type', 'Result', 'Answers', 'ms', 'Cache', 'Why'].map((t) => h('th', { scope: 'col', className: t === 'Answers' || t === 'ms' ? 'num' : undefined }, t)))),
    body));
  main().replaceChildren(h('h1', {}, 'Query log'), form, h('p', {}, ''), table);
  async function load() {
    const q = new URLSearchParams();
    for (const el of form.elements) if (el.name && el.value) q.set(el.name, el.value.trim());
    q.set('limit', '200');
    try {
      const rows = await api(`/api/queries?${q}`);
      $('q-caption').textContent = `${rows.length} newest matching ${rows.length === 1 ? 'query' : 'queries'} (of the last ones kept in memory)`;
      body.replaceChildren(...rows.map((r) => {
        const blocked = r.policy === 'blocklist' || r.policy === 'cname-cloaking';
        const why = blocked ? (r.ede || 'blocked').replace(/^15 /, '') : r.policy ? `${r.policy}${r.ede ? `: ${r.ede}` : ''}` : r.ede || '';
        const journey = h('a', { href: `#/why?${new URLSearchParams({ name: r.name, type: r.type })}`, title: `journey of ${r.name} ${r.type}` }, r.name);
        return h('tr', { className: blocked ? 'blocked' : r.rcode === 2 ? 'servfail' : undefined },
          h('td', { 'data-label': 'Time' }, new Date(r.time).toLocaleTimeString()), h('td', { 'data-label': 'Client' }, r.client),
          h('td', { className: 'name', 'data-label': 'Name' }, journey), h('td', { 'data-label': 'Type' }, r.type),
          h('td', { 'data-label': 'Result' }, blocked ? 'blocked' : rcodeName(r.rcode)), h('td', { className: 'num', 'data-label': 'Answers' }, r.answers),
          h('td', { className: 'num', 'data-label': 'ms' }, r.ms), h('td', { 'data-label': 'Cache' }, r.cached ? 'hit' : ''),
          h('td', { className: 'name why', 'data-label': 'Why' }, why));
      }));
    } catch (err) {
      $('q-caption').textContent = err.message;
    }
  }
  load();
  state.timers.push(setInterval(() => { if (live.checked && !document.hidden) load(); }, 2000));
}

// ── Why this answer? ───────────────────────────────────────────────────────────────────────────────────────
/** A `ctl trace` line, classified for its colour and badge (the text is shown as the server wrote it). */
function classify(line) {
  const text = line.trim();
  if (text.startsWith('cache:')) return ['cache', 'cache'];
  if (text.startsWith('policy')) return ['policy', 'policy'];
  if (text.startsWith('failed:')) return ['fail', 'failed'];
  if (/DNSSEC|DNSKEY|\bDS\b|RRSIG|secure|bogus|insecure/i.test(text)) return ['dnssec', 'dnssec'];
  if (text.includes('CNAME →') || text.includes('CNAME ->')) return ['cname', 'cname'];
  if (text.includes('referral to')) return ['referral', 'referral'];
  if (/→[^→]*answer/.test(text)) return ['answer', 'answer'];
  if (text.startsWith('glueless')) return ['ns', 'ns lookup'];
  if (/zone .*\(config\)/.test(text)) return ['referral', 'forward'];
  return ['', 'step'];
}

/** An upstream step, `ZONE @ADDR (SERVER)[ tcp]: QNAME QTYPE → RTT ms OUTCOME`, split for the layout; null: another kind. */
function upstreamStep(text) {
  const m = /^(\S+) @(\S+) \((\S+)\)( tcp)?: (\S+) (\S+) →(?: ([\d.]+) ms)? (.*)$/.exec(text);
  return m ? { zone: m[1], address: m[2], server: m[3], tcp: !!m[4], qname: m[5], qtype: m[6], rtt: m[7], outcome: m[8] } : null;
}

function stepItem(line) {
  const [kind, badge] = classify(line);
  const depth = (line.match(/^ */) || [''])[0].length / 2;
  const text = line.trim();
  const up = upstreamStep(text);
  const li = up
    ? h('li', { className: kind }, h('span', { className: 'badge' }, badge), h('strong', {}, `${up.qname} ${up.qtype} → ${up.outcome}`),
      h('div', { className: 'detail' }, `asked ${up.server} (${up.address}${up.tcp ? ', TCP' : ''}) for ${up.zone}`, up.rtt ? h('span', { className: 'rtt' }, `${up.rtt} ms`) : ''))
    : h('li', { className: kind }, h('span', { className: 'badge' }, badge), text);
  li.style.marginLeft = `${depth * 1.25}rem`;
  return li;
}

function showWhy(params) {
  const name = h('input', { type: 'text', id: 'why-name', name: 'name', required: true, value: params.get('name') || '', placeholder: 'www.example.com', autocomplete: 'off' });
  const type = h('input', { type: 'text', id: 'why-type', name: 'type', value: params.get('type') || 'A', className: 'short' });
  const out = h('div', { id: 'why-result', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', id: 'why-run' }, 'Trace');
  const run = async () => {
    button.disabled = true;
    out.replaceChildren(h('p', { className: 'muted' }, `Resolving ${name.value} ${type.value} in the running server…`));
    try {
      const r = await api('/api/trace', { name: name.value.trim(), type: type.value.trim() || 'A' });
      const steps = r.lines.map(stepItem);
      out.replaceChildren(
        h('h2', {}, 'Steps'),
        steps.length ? h('ol', { className: 'steps', id: 'why-steps' }, steps) : h('p', { className: 'muted' }, 'No steps: the answer came straight from the answer cache or a local rule.'),
        h('h2', {}, 'Answer'),
        h('pre', { id: 'why-answer' }, r.answer),
      );
    } catch (err) {
      out.replaceChildren(h('p', { className: 'error', role: 'alert' }, err.message));
    } finally {
      button.disabled = false;
    }
  };
  const form = h('form', { className: 'inline', onsubmit: (e) => {
    e.preventDefault();
    const q = new URLSearchParams({ name: name.value.trim(), type: type.value.trim() || 'A' });
    if (location.hash !== `#/why?${q}`) location.hash = `#/why?${q}`; // the route runs it
    else run();
  } }, field('Name', name), field('Type', type), button);
  main().replaceChildren(h('h1', {}, 'Why this answer?'),
    h('p', { className: 'muted' }, 'Resolves the name in the running server — its cache, its policy — and shows every step, as `rootline ctl trace` does.'),
    form, out);
  if (params.get('name')) run();
  else name.focus();
}

// ── Servers ────────────────────────────────────────────────────────────────────────────────────────────────
const SERVER_COLUMNS = [
  ['server', 'Server', (s) => s.server], ['zones', 'Zones', (s) => s.zones.join(' ')], ['srttMs', 'RTT (smoothed)', (s) => s.srttMs],
  ['rtoMs', 'Timeout', (s) => s.rtoMs], ['sent', 'Sent', (s) => s.sent], ['timeouts', 'Timeouts', (s) => s.timeouts],
  ['lame', 'Lame for', (s) => Object.keys(s.lame).length], ['heldDown', 'Held down', (s) => (s.heldDown ? 1 : 0)], ['edns', 'EDNS', (s) => String(s.edns)],
];

async function showServers() {
  main().replaceChildren(h('h1', {}, 'Servers'), h('p', { className: 'muted' }, 'Authoritative servers asked lately, with what rootline learnt about them.'), h('div', { id: 'servers' }, 'Loading…'));
  let rows;
  try {
    rows = await api('/api/servers');
  } catch (err) {
    $('servers').textContent = err.message;
    return;
  }
  const render = () => {
    const col = SERVER_COLUMNS.find((c) => c[0] === state.serverSort.key);
    const sorted = [...rows].sort((a, b) => {
      const x = col[2](a), y = col[2](b);
      const c = typeof x === 'number' || typeof y === 'number' ? (x ?? -1) - (y ?? -1) : String(x).localeCompare(String(y));
      return state.serverSort.desc ? -c : c;
    });
    const head = SERVER_COLUMNS.map(([key, label]) => {
      const active = state.serverSort.key === key;
      return h('th', { scope: 'col', 'aria-sort': active ? (state.serverSort.desc ? 'descending' : 'ascending') : 'none' },
        h('button', { type: 'button', onclick: () => { state.serverSort = { key, desc: active ? !state.serverSort.desc : key !== 'server' && key !== 'zones' }; render(); } }, label + (active ? (state.serverSort.desc ? ' ▼' : ' ▲') : '')));
    });
    $('servers').replaceChildren(h('div', { className: 'table-wrap' }, h('table', { id: 'servers-table', className: 'stack' },
      h('caption', {}, `${rows.length} servers · click a column to sort`),
      h('thead', {}, h('tr', {}, head)),
      h('tbody', {}, sorted.map((s) => h('tr', {},
        h('td', { 'data-label': 'Server' }, s.server), h('td', { className: 'name', 'data-label': 'Zones' }, s.zones.join(', ')),
        h('td', { className: 'num', 'data-label': 'RTT' }, msText(s.srttMs)), h('td', { className: 'num', 'data-label': 'Timeout' }, msText(s.rtoMs)),
        h('td', { className: 'num', 'data-label': 'Sent' }, s.sent), h('td', { className: 'num', 'data-label': 'Timeouts' }, s.timeouts),
        h('td', { 'data-label': 'Lame for' }, Object.keys(s.lame).join(', ')), h('td', { 'data-label': 'Held down' }, s.heldDown ? 'yes' : ''),
        h('td', { 'data-label': 'EDNS' }, s.edns === null ? '?' : s.edns ? 'yes' : 'no')))))));
  };
  render();
}

// ── Policy ─────────────────────────────────────────────────────────────────────────────────────────────────
async function showPolicy() {
  main().replaceChildren(h('h1', {}, 'Policy'), h('div', { id: 'policy' }, 'Loading…'));
  let p;
  try {
    p = await api('/api/policy');
  } catch (err) {
    $('policy').textContent = err.message;
    return;
  }
  const toggle = (l) => h('button', { type: 'button', className: l.enabled ? 'secondary' : undefined, 'data-list': l.path, onclick: async (e) => {
    e.target.disabled = true;
    try {
      await api('/api/blocklist', { path: l.path, enabled: !l.enabled });
      say(`${l.path} ${l.enabled ? 'disabled' : 'enabled'}`);
    } catch (err) {
      say(err.message);
    }
    showPolicy();
  } }, l.enabled ? 'Disable' : 'Enable');
  const lists = p.lists.length
    ? h('div', { id: 'lists', className: 'lists' }, p.lists.map((l) => h('section', { className: 'panel list' },
      h('h3', {}, l.path),
      h('dl', {},
        h('dt', {}, 'State'), h('dd', { className: 'state' }, l.enabled ? 'on' : 'off'),
        h('dt', {}, 'Entries'), h('dd', {}, l.rules === null ? '–' : num(l.rules)),
        h('dt', {}, 'Read'), h('dd', {}, l.loadedMs ? new Date(l.loadedMs).toLocaleString() : '–'),
        h('dt', {}, 'Errors'), h('dd', {}, l.bad ? `${l.bad} bad lines${l.firstBad ? ` (line ${l.firstBad.line}: ${l.firstBad.reason})` : ''}` : l.bad === 0 ? 'none' : '–')),
      toggle(l))))
    : h('p', { className: 'muted' }, 'No blocklists configured (blocklists: in the config file).');
  const allowName = h('input', { type: 'text', id: 'allow-name', name: 'name', required: true, placeholder: 'ads.example.com' });
  const allowForm = h('form', { className: 'inline', onsubmit: async (e) => {
    e.preventDefault();
    try {
      const r = await api('/api/allowlist', { name: allowName.value.trim() });
      say(`${r.name} ${r.added ? 'added to' : 'already in'} the allowlist`);
      showPolicy();
    } catch (err) {
      say(err.message);
    }
  } }, field('Allow a name (and every name below it)', allowName), h('button', { type: 'submit' }, 'Allow'));
  const zones = (list) => (list.length ? h('ul', { className: 'plain' }, list.map((z) => h('li', {}, `${z.name}: ${z.servers.join(', ')} (${z.transport}, fallback ${z.fallback})`))) : h('p', { className: 'muted' }, 'none'));
  const localZones = p.localZones === true ? 'the defaults (localhost, private reverse zones, invalid., home.arpa.)' : p.localZones === false ? 'off' : p.localZones.map((z) => `${z.name} ${z.type}`).join(', ');
  $('policy').replaceChildren(
    h('h2', {}, `Blocklists (${num(p.blockedNames)} names, blocked queries get ${p.mode})`), lists,
    h('h2', {}, 'Allowlist'),
    p.allowlist.length ? h('ul', { className: 'plain', id: 'allowlist' }, p.allowlist.map((a) => h('li', {}, a.name + (a.added ? ' (added here; until restart)' : '')))) : h('p', { className: 'muted' }, 'empty'),
    allowForm,
    h('h2', {}, 'Local names'),
    h('p', {}, `Local zones: ${localZones}`),
    p.localData.length ? h('ul', { className: 'plain' }, p.localData.map((d) => h('li', {}, d))) : h('p', { className: 'muted' }, 'No local-data records.'),
    p.hostsFiles.length ? h('p', {}, `Hosts files: ${p.hostsFiles.join(', ')}`) : '',
    h('h2', {}, 'Forward zones'), zones(p.forwardZones),
    h('h2', {}, 'Stub zones'), zones(p.stubZones),
    h('p', { className: 'muted' }, 'Changes made here apply to every worker and last until a restart (a reload keeps them); put them in the config file to keep them.'),
  );
}

// ── Cache ──────────────────────────────────────────────────────────────────────────────────────────────────
function showCache() {
  const result = h('p', { id: 'flush-result', role: 'status' }, '');
  const flushForm = (id, title, inputs, body) => h('section', { className: 'panel' }, h('h2', {}, title),
    h('form', { className: 'inline', id, onsubmit: async (e) => {
      e.preventDefault();
      try {
        const r = await api('/api/flush', body());
        result.textContent = `Flushed: ${r.rrsets} RRsets, ${r.negative} negative answers, ${r.answers} cached responses, ${r.servers} servers.`;
      } catch (err) {
        result.textContent = err.message;
      }
    } }, ...inputs, h('button', { type: 'submit' }, 'Flush')));
  const n1 = h('input', { type: 'text', id: 'flush-name', required: true, placeholder: 'www.example.com' });
  const n2 = h('input', { type: 'text', id: 'flush-name2', required: true, placeholder: 'www.example.com' });
  const t2 = h('input', { type: 'text', id: 'flush-type', required: true, value: 'A', className: 'short' });
  const z = h('input', { type: 'text', id: 'flush-zone', required: true, placeholder: 'example.com' });
  main().replaceChildren(h('h1', {}, 'Cache'),
    flushForm('flush-name-form', 'Flush a name (every type)', [field('Name', n1)], () => ({ name: n1.value.trim() })),
    flushForm('flush-type-form', 'Flush a name and type', [field('Name', n2), field('Type', t2)], () => ({ name: n2.value.trim(), type: t2.value.trim() })),
    flushForm('flush-zone-form', 'Flush a zone (and every name below it, with its delegations and server marks)', [field('Zone', z)], () => ({ zone: z.value.trim() })),
    result);
}

// ── routing ────────────────────────────────────────────────────────────────────────────────────────────────
const PAGES = { overview: showOverview, queries: showQueries, why: showWhy, servers: showServers, policy: showPolicy, cache: showCache };

function route() {
  stopLive();
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
  const page = PAGES[path] ? path : 'overview';
  for (const a of document.querySelectorAll('nav a')) {
    if (a.dataset.page === page) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = `rootline · ${document.querySelector(`nav a[data-page="${page}"]`).textContent}`;
  PAGES[page](new URLSearchParams(query || ''));
}

function start() {
  $('nav').hidden = false;
  $('logout').hidden = !state.passwordRequired;
  route();
  main().focus();
}

window.addEventListener('hashchange', () => { if (!$('nav').hidden) route(); });
document.addEventListener('DOMContentLoaded', async () => {
  $('logout').addEventListener('click', async () => {
    await api('/api/logout', {}).catch(() => {});
    const s = await api('/api/session');
    state.csrf = s.csrf;
    showLogin('Logged out.');
  });
  try {
    const s = await api('/api/session');
    state.csrf = s.csrf;
    state.passwordRequired = s.passwordRequired;
    if (s.authenticated) start();
    else showLogin();
  } catch (err) {
    main().replaceChildren(h('p', { className: 'error', role: 'alert' }, err.message));
  }
});
