// A DNS hierarchy served by real NSD instances on loopback addresses, for end-to-end tests and benchmarks.
// Each name server is its own NSD process on its own 127.x address (one NSD serving root and com together
// would answer com queries itself and hide the walk). Every process started here is stopped by PID.
//
// Layout (prefix P, default 127.77):
//   P.0.1, P.0.2   root servers (a.root.lab, b.root.lab) serving "."
//   P.1.1 com, P.1.2 net, P.1.3 org            TLD servers
//   P.2.1 … P.2.4  authoritative servers: generated zones d<i>.<tld> split across them, plus the
//                  hand-written zones below when `extra` is on
// `records` (opt-in, default none) appends zone-file lines to named second-level zones, e.g.
//   { 'example.com': ['rebind A 192.168.1.66'] } for a public name with a private address.
// `addresses` (opt-in) replaces the prefix layout with explicit addresses, e.g. for servers inside a network
//   namespace: { roots: [a, b], tld: { com, net, org }, auth: [four addresses] }; glue and root hints use them.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const NSD = ['/usr/sbin/nsd', '/usr/bin/nsd'].find((p) => existsSync(p)) ?? 'nsd';
const TLDS = ['com', 'net', 'org'];
const AUTH_SERVERS = 4;
const started = new Set();

const SOA = (zone) => `${zone}. 3600 IN SOA ns1.${zone === '.' ? 'root.lab' : zone}. hostmaster.${zone === '.' ? 'lab' : zone}. 2026112501 7200 900 1209600 300`;

function zoneFile(origin, lines) {
  const apex = origin === '.' ? '.' : `${origin}.`;
  return [`$ORIGIN ${apex}`, '$TTL 3600', SOA(origin).replace(/^\.\./, '.'), ...lines, ''].join('\n');
}

/** The zones of the hand-written part: every interesting case the e2e tests and Unbound comparison check. */
function extraZones(ip) {
  const bigTxt = Array.from({ length: 40 }, (_, i) => `big TXT "line ${i} of an answer far too long for one UDP datagram of 1232 bytes"`);
  return {
    'example.com': {
      servers: [ip.auth[0], ip.auth[1]],
      ns: ['ns1.example.com', 'ns2.example.com'],
      glue: { 'ns1.example.com': ip.auth[0], 'ns2.example.com': ip.auth[1] },
      lines: [
        '@ NS ns1.example.com.', '@ NS ns2.example.com.',
        `ns1 A ${ip.auth[0]}`, `ns2 A ${ip.auth[1]}`,
        '@ MX 10 mail.example.com.', '@ TXT "v=spf1 -all"',
        'www 300 A 192.0.2.80', 'www 300 AAAA 2001:db8::80',
        'mail A 192.0.2.25',
        'pool 300 A 192.0.2.1', 'pool 300 A 192.0.2.2', 'pool 300 A 192.0.2.3', 'pool 300 A 192.0.2.4',
        'start CNAME hop.example.net.',
        'alias CNAME www',
        'old DNAME example.net.',
        ...bigTxt,
      ],
    },
    'example.net': {
      servers: [ip.auth[1]],
      ns: ['ns1.example.net'],
      glue: { 'ns1.example.net': ip.auth[1] },
      lines: ['@ NS ns1.example.net.', `ns1 A ${ip.auth[1]}`, `ns.glue A ${ip.auth[2]}`, 'hop CNAME end.example.org.', 'x A 198.51.100.10', 'www A 198.51.100.80'],
    },
    'example.org': {
      servers: [ip.auth[2]],
      ns: ['ns1.example.org'],
      glue: { 'ns1.example.org': ip.auth[2] },
      lines: ['@ NS ns1.example.org.', `ns1 A ${ip.auth[2]}`, 'end A 203.0.113.7'],
    },
    // Glueless: its name server lives under another TLD and must be resolved separately.
    'glueless.org': {
      servers: [ip.auth[2]],
      ns: ['ns.glue.example.net'],
      glue: {},
      lines: ['@ NS ns.glue.example.net.', 'www A 203.0.113.99'],
    },
  };
}

/** What the e2e tests check for every hand-written name: rcode and the answer's types. */
export const EXTRA_NAMES = [
  { name: 'www.example.com', type: 'A', expect: 'NOERROR' },
  { name: 'www.example.com', type: 'AAAA', expect: 'NOERROR' },
  { name: 'example.com', type: 'MX', expect: 'NOERROR' },
  { name: 'example.com', type: 'TXT', expect: 'NOERROR' },
  { name: 'example.com', type: 'NS', expect: 'NOERROR' },
  { name: 'pool.example.com', type: 'A', expect: 'NOERROR' },
  { name: 'start.example.com', type: 'A', expect: 'NOERROR' },
  { name: 'alias.example.com', type: 'A', expect: 'NOERROR' },
  { name: 'x.old.example.com', type: 'A', expect: 'NOERROR' },
  { name: 'www.glueless.org', type: 'A', expect: 'NOERROR' },
  { name: 'nope.example.com', type: 'A', expect: 'NXDOMAIN' },
  { name: 'www.example.com', type: 'MX', expect: 'NODATA' },
  { name: 'big.example.com', type: 'TXT', expect: 'NOERROR' },
  { name: 'nothing.example.org', type: 'AAAA', expect: 'NXDOMAIN' },
];

/** Whether a DNS server answers on address:port: a '. SOA' query; any reply (even REFUSED) means it is up. */
export function answersUdp(address, port, timeoutMs = 300) {
  const q = Buffer.from([0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 1]);
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const t = setTimeout(() => {
      s.close();
      resolve(false);
    }, timeoutMs);
    s.on('message', () => {
      clearTimeout(t);
      s.close();
      resolve(true);
    });
    s.on('error', () => {
      clearTimeout(t);
      s.close();
      resolve(false);
    });
    s.send(q, port, address);
  });
}

export async function startNsd(dir, label, address, port, zones) {
  mkdirSync(dir, { recursive: true });
  const conf = [
    'server:',
    `  ip-address: ${address}@${port}`,
    `  port: ${port}`,
    '  server-count: 1',
    '  username: ""',
    '  chroot: ""',
    `  zonesdir: "${dir}"`,
    '  database: ""',
    `  zonelistfile: "${dir}/zone.list"`,
    `  xfrdfile: "${dir}/xfrd.state"`,
    `  pidfile: "${dir}/nsd.pid"`,
    `  logfile: "${dir}/nsd.log"`,
    '  verbosity: 0',
    '  do-ip6: no',
    '  refuse-any: no',
    'remote-control:',
    '  control-enable: no',
  ];
  for (const [name, text] of Object.entries(zones)) {
    const file = `${name === '.' ? 'root' : name}.zone`;
    writeFileSync(join(dir, file), text);
    conf.push('zone:', `  name: "${name}"`, `  zonefile: "${file}"`);
  }
  writeFileSync(join(dir, 'nsd.conf'), conf.join('\n') + '\n');
  const child = spawn(NSD, ['-d', '-c', join(dir, 'nsd.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  started.add(child);
  child.on('exit', () => started.delete(child));
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`nsd for ${label} (${address}) exited: ${stderr.trim() || readLog(dir)}`);
    if (await answersUdp(address, port)) return { label, address, zones: Object.keys(zones), pid: child.pid, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`nsd for ${label} (${address}:${port}) did not answer within 10 s: ${stderr.trim() || readLog(dir)}`);
}

function readLog(dir) {
  try {
    return readFileSync(join(dir, 'nsd.log'), 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '(no log)';
  }
}

export function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    }, 2000).unref();
  });
}

/** Starts the whole hierarchy; see the layout at the top of this file. */
export async function startHierarchy({ workDir, domains = 20, port = 53, prefix = '127.77', addresses, extra = true, records = {} } = {}) {
  mkdirSync(workDir, { recursive: true });
  const ip = addresses
    ? { roots: [...addresses.roots], tld: { ...addresses.tld }, auth: [...addresses.auth] }
    : {
        roots: [`${prefix}.0.1`, `${prefix}.0.2`],
        tld: Object.fromEntries(TLDS.map((t, i) => [t, `${prefix}.1.${i + 1}`])),
        auth: Array.from({ length: AUTH_SERVERS }, (_, i) => `${prefix}.2.${i + 1}`),
      };
  if (ip.roots.length !== 2 || TLDS.some((t) => !ip.tld[t]) || ip.auth.length !== AUTH_SERVERS) {
    throw new Error(`addresses: need 2 roots, one address for each of ${TLDS.join(' ')} and ${AUTH_SERVERS} auth servers`);
  }
  // Second-level zones: generated ones split across the auth servers, then the hand-written ones.
  const slds = {};
  const aNames = [];
  for (let i = 0; i < domains; i++) {
    const tld = TLDS[i % TLDS.length];
    const zone = `d${i}.${tld}`;
    const server = ip.auth[i % AUTH_SERVERS];
    slds[zone] = {
      servers: [server],
      ns: [`ns1.${zone}`],
      glue: { [`ns1.${zone}`]: server },
      lines: [`@ NS ns1.${zone}.`, `ns1 A ${server}`, `@ A 192.0.2.${i % 250}`, `www A 198.51.100.${i % 250}`, `mail A 203.0.113.${i % 250}`],
    };
    aNames.push(`www.${zone}`, zone);
  }
  if (extra) Object.assign(slds, extraZones(ip));
  for (const [zone, lines] of Object.entries(records)) {
    if (!slds[zone]) throw new Error(`records: no zone ${zone} in the hierarchy (zones: ${Object.keys(slds).join(' ')})`);
    slds[zone].lines.push(...lines);
  }

  const rootLines = [];
  for (const [i, addr] of ip.roots.entries()) rootLines.push(`@ NS ${'ab'[i]}.root.lab.`, `${'ab'[i]}.root.lab. A ${addr}`);
  for (const t of TLDS) rootLines.push(`${t}. NS ns.nic.${t}.`, `ns.nic.${t}. A ${ip.tld[t]}`);
  rootLines.push('lab. NS a.root.lab.');
  const tldLines = Object.fromEntries(TLDS.map((t) => [t, [`@ NS ns.nic.${t}.`, `ns.nic.${t}. A ${ip.tld[t]}`]]));
  const authZones = Object.fromEntries(ip.auth.map((a) => [a, {}]));
  for (const [zone, z] of Object.entries(slds)) {
    const tld = zone.split('.').pop();
    for (const ns of z.ns) tldLines[tld].push(`${zone}. NS ${ns}.`);
    for (const [host, addr] of Object.entries(z.glue)) if (host.endsWith(`.${tld}`)) tldLines[tld].push(`${host}. A ${addr}`);
    for (const server of z.servers) authZones[server][zone] = zoneFile(zone, z.lines);
  }
  const rootZone = zoneFile('.', rootLines.concat(['lab. NS a.root.lab.']).filter((l, i, all) => all.indexOf(l) === i));

  const servers = [];
  const stopAllHere = async () => {
    await Promise.all(servers.map((s) => stopChild(s.child)));
  };
  try {
    const jobs = [
      ...ip.roots.map((a, i) => startNsd(join(workDir, `root-${'ab'[i]}`), `root-${'ab'[i]}`, a, port, { '.': rootZone })),
      ...TLDS.map((t) => startNsd(join(workDir, `tld-${t}`), t, ip.tld[t], port, { [t]: zoneFile(t, tldLines[t]) })),
      ...ip.auth.filter((a) => Object.keys(authZones[a]).length > 0).map((a, i) => startNsd(join(workDir, `auth-${i + 1}`), `auth-${i + 1}`, a, port, authZones[a])),
    ];
    const results = await Promise.allSettled(jobs);
    for (const r of results) if (r.status === 'fulfilled') servers.push(r.value);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (e) {
    await stopAllHere();
    throw e;
  }

  const rootHints = ip.roots.map((a, i) => `.  3600000  NS  ${'ab'[i]}.root.lab.\n${'ab'[i]}.root.lab.  3600000  A  ${a}\n`).join('');
  const rootHintsPath = join(workDir, 'named.root');
  writeFileSync(rootHintsPath, rootHints);
  return {
    rootHintsPath,
    rootHints,
    servers: servers.map(({ label, address, zones, pid }) => ({ label, address, zones, pid })),
    names: { a: aNames, all: extra ? EXTRA_NAMES : [] },
    stop: stopAllHere,
  };
}

/** Stops every NSD this process started (by PID). */
export async function stopAll() {
  await Promise.all([...started].map(stopChild));
}
