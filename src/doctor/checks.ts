// The doctor's checks of this machine and its path to the root servers, each one line: ok, warning, problem or
// skipped, with the evidence and, when something is wrong, what to do. They only send what a resolver sends
// anyway (queries to the root server addresses of the hints) plus one CHAOS question to the configured resolver.
import * as dgram from 'node:dgram';
import { readFile } from 'node:fs/promises';
import * as net from 'node:net';
import type { ListenAddress } from '../server/listen-address.js';
import type { Transport } from '../upstream/transport.js';
import type { WirePacket } from '../wire/decode.js';
import { canonical } from '../wire/names.js';
import { holdersOf } from './port-holder.js';
import { hasOpt, isTruncated, probe, type ProbeResult } from './probe.js';

export type Status = 'ok' | 'warning' | 'problem' | 'skipped';

export interface CheckResult {
  check: string;
  status: Status;
  message: string;
  fix?: string;
}

export interface Root {
  name: string;
  address: string;
}

export interface DoctorContext {
  transport: Transport;
  /** Root server addresses to test (IPv6 ones only when the host has IPv6). */
  roots: Root[];
  upstreamPort: number;
  listen: ListenAddress[];
  resolvConf: string;
  /** A TLD the root zone delegates: an honest root answers a name below it with a referral. */
  tld: string;
  probeTimeoutMs: number;
  nowMs(): number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const ms = (v: number): string => `${Math.round(v)} ms`;
const isV6 = (r: Root): boolean => r.address.includes(':');

/** 1. The listen addresses: free, held by rootline, or held by something else (named when /proc tells). */
export async function checkPort(ctx: DoctorContext): Promise<CheckResult> {
  const check = 'port 53 here';
  const notes: string[] = [];
  let status: Status = 'ok';
  let fix: string | undefined;
  for (const l of ctx.listen) {
    const where = l.family === 6 ? `[${l.address}]:${l.port}` : `${l.address}:${l.port}`;
    const error = await tryBind(l);
    if (error === null) {
      notes.push(`${where} is free`);
      continue;
    }
    if (error === 'EADDRINUSE') {
      const holders = holdersOf(l.port);
      const ours = holders.find((h) => /rootline|dist\/cli\.js/.test(h.command));
      if (ours) {
        notes.push(`${where} is held by rootline (pid ${ours.pid})`);
        continue;
      }
      const who = holders.map((h) => `${h.command.split(' ')[0]} (pid ${h.pid})`).join(', ') || 'another process (run as root to see which)';
      notes.push(`${where} is held by ${who}`);
      status = 'problem';
      fix = holders.some((h) => h.command.includes('systemd-resolved'))
        ? 'set DNSStubListener=no in /etc/systemd/resolved.conf and restart systemd-resolved, or listen on another address'
        : holders.some((h) => h.command.includes('dnsmasq'))
          ? 'stop dnsmasq (or set port=0 in its config), or listen on another address'
          : 'stop that server, or give rootline another listen address';
    } else if (error === 'EACCES') {
      notes.push(`${where} needs privileges (uid ${process.getuid?.() ?? '?'})`);
      if (status === 'ok') status = 'warning';
      fix ??= 'start rootline as root (with --user) or give it CAP_NET_BIND_SERVICE, as contrib/rootline.service does';
    } else {
      notes.push(`${where}: ${error}`);
      status = 'problem';
      fix ??= error === 'EADDRNOTAVAIL' ? 'that address is not on this machine: listen on one of its own' : undefined;
    }
  }
  return { check, status, message: notes.join('; '), ...(fix ? { fix } : {}) };
}

function tryBind(l: ListenAddress): Promise<string | null> {
  return new Promise((resolve) => {
    const udp = dgram.createSocket({ type: l.family === 6 ? 'udp6' : 'udp4' });
    udp.once('error', (e: NodeJS.ErrnoException) => {
      udp.close();
      resolve(e.code ?? e.message);
    });
    udp.bind({ address: l.address, port: l.port, exclusive: true }, () => {
      const tcp = net.createServer();
      tcp.once('error', (e: NodeJS.ErrnoException) => {
        udp.close();
        resolve(e.code ?? e.message);
      });
      tcp.listen({ host: l.address, port: l.port, exclusive: true }, () => {
        tcp.close();
        udp.close();
        resolve(null);
      });
    });
  });
}

/** 2. What this machine asks: /etc/resolv.conf's name servers, and whether one of them is a running rootline. */
export async function checkResolvConf(ctx: DoctorContext): Promise<CheckResult> {
  const check = 'this machine uses it';
  let text: string;
  try {
    text = await readFile(ctx.resolvConf, 'utf8');
  } catch (e) {
    return { check, status: 'skipped', message: `cannot read ${ctx.resolvConf}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  const servers = text
    .split('\n')
    .map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1])
    .filter((s): s is string => !!s);
  if (servers.length === 0) return { check, status: 'warning', message: `${ctx.resolvConf} names no nameserver`, fix: 'add "nameserver 127.0.0.1" (or the address rootline listens on)' };
  const answers = await Promise.all(servers.map(async (s) => ({ s, r: await probe(ctx.transport, s, 53, { name: 'version.bind', type: 'TXT', ednsSize: 0, tcp: false, recursionDesired: true, chaos: true }, ctx.probeTimeoutMs) })));
  const rootline = answers.find((a) => a.r.ok && txtOf(a.r.packet).startsWith('rootline'));
  if (rootline) return { check, status: 'ok', message: `${ctx.resolvConf} points at ${rootline.s}, which is rootline (${txtOf((rootline.r as Extract<ProbeResult, { ok: true }>).packet)})` };
  const stub = servers.includes('127.0.0.53') ? ' (systemd-resolved: point its DNS= at rootline)' : '';
  return {
    check,
    status: 'warning',
    message: `${ctx.resolvConf} points at ${servers.join(', ')}, and none of them is rootline${stub}`,
    fix: 'to use rootline on this machine, put "nameserver 127.0.0.1" (its listen address) in /etc/resolv.conf, or DNS=127.0.0.1 in /etc/systemd/resolved.conf',
  };
}

function txtOf(p: WirePacket): string {
  const a = (p.answers ?? []).find((r) => (r as { type: string }).type === 'TXT') as { data?: Buffer[] | Buffer } | undefined;
  if (!a?.data) return '';
  return (Array.isArray(a.data) ? a.data : [a.data]).map((b) => b.toString()).join('');
}

/** 3. Every root address over UDP and over TCP: how many answer, and how fast. */
export async function checkRootTransports(ctx: DoctorContext): Promise<CheckResult> {
  const check = 'UDP and TCP to the roots';
  const ask = (r: Root, tcp: boolean) => probe(ctx.transport, r.address, ctx.upstreamPort, { name: '.', type: 'NS', ednsSize: 1232, tcp }, ctx.probeTimeoutMs);
  const results = await Promise.all(ctx.roots.map(async (r) => ({ r, udp: await ask(r, false), tcp: await ask(r, true) })));
  const summary = (family: Root[] | typeof results, which: 'udp' | 'tcp'): { n: number; of: number; rtt: number } => {
    const set = (family as typeof results).map((x) => x[which]);
    const okRtts = set.filter((p): p is Extract<ProbeResult, { ok: true }> => p.ok).map((p) => p.rttMs);
    return { n: okRtts.length, of: set.length, rtt: median(okRtts) };
  };
  const v4 = results.filter((x) => !isV6(x.r));
  const v6 = results.filter((x) => isV6(x.r));
  const line = (label: string, set: typeof results): string => {
    const u = summary(set, 'udp');
    const t = summary(set, 'tcp');
    return `${label}: ${u.n}/${u.of} over UDP${u.n ? ` (median ${ms(u.rtt)})` : ''}, ${t.n}/${t.of} over TCP${t.n ? ` (median ${ms(t.rtt)})` : ''}`;
  };
  const parts = [line('IPv4', v4), ...(v6.length ? [line('IPv6', v6)] : ['IPv6: not tested (no global IPv6 address here)'])];
  const u4 = summary(v4, 'udp');
  const t4 = summary(v4, 'tcp');
  if (u4.n === 0) return { check, status: 'problem', message: parts.join('; '), fix: 'no root server answers over UDP: outbound UDP port 53 is blocked (firewall, router) or the network is down' };
  if (t4.n === 0) return { check, status: 'problem', message: parts.join('; '), fix: 'TCP port 53 is blocked: truncated (large) answers will fail; allow outbound TCP/53' };
  if (v6.length && summary(v6, 'udp').n === 0) return { check, status: 'warning', message: parts.join('; '), fix: 'IPv6 roots unreachable: set ipv6-upstream: false, or fix IPv6 routing' };
  return { check, status: 'ok', message: parts.join('; ') };
}

/**
 * 4. Someone answering in the roots' place: a non-recursive query for a name under a TLD must get the root's
 * referral (no answer, RA clear, the TLD's NS in authority) or its NXDOMAIN; anything else, or referrals that
 * differ between roots, is a proxy on the path answering itself.
 */
export async function checkInterception(ctx: DoctorContext): Promise<CheckResult> {
  const check = 'interception';
  const name = `rootline-doctor-${Math.floor(Math.random() * 1e9)}.${ctx.tld}`;
  const roots = ctx.roots.filter((r) => !isV6(r));
  const replies = await Promise.all(roots.map(async (r) => ({ r, p: await probe(ctx.transport, r.address, ctx.upstreamPort, { name, type: 'A', ednsSize: 1232, tcp: false }, ctx.probeTimeoutMs) })));
  const answered = replies.filter((x): x is { r: Root; p: Extract<ProbeResult, { ok: true }> } => x.p.ok);
  if (answered.length === 0) return { check, status: 'skipped', message: 'no root server answered (see the transport check)' };
  const intercepted: string[] = [];
  const referrals = new Map<string, string[]>();
  for (const { r, p } of answered) {
    const why = rootLike(p.packet, ctx.tld);
    if (why) intercepted.push(`${r.address} (${why})`);
    else {
      const ns = nsOf(p.packet).join(',');
      referrals.set(ns, [...(referrals.get(ns) ?? []), r.address]);
    }
  }
  if (intercepted.length > 0) {
    return {
      check,
      status: 'problem',
      message: `not the root answering: ${intercepted.join('; ')} — a DNS proxy on the path (router, ISP) answers port 53 itself`,
      fix: 'turn off DNS interception on the router, or ask the ISP; until then a forward zone for "." to a resolver you trust avoids the path',
    };
  }
  if (referrals.size > 1) {
    return { check, status: 'warning', message: `root servers disagree about ${ctx.tld}: ${[...referrals.entries()].map(([ns, a]) => `${a.join(' ')} → ${ns || 'NXDOMAIN'}`).join('; ')}` };
  }
  return { check, status: 'ok', message: `${answered.length}/${roots.length} root addresses answer as roots (a referral for ${ctx.tld}., RA clear)` };
}

function nsOf(p: WirePacket): string[] {
  return (p.authorities ?? [])
    .filter((r) => (r as { type: string }).type === 'NS')
    .map((r) => canonical((r as { data: string }).data))
    .sort();
}

/** Why a reply is not the root's, or null when it is. */
function rootLike(p: WirePacket, tld: string): string | null {
  if (p.flag_ra) return 'recursion available';
  if ((p.answers ?? []).length > 0) return 'it gave an answer';
  if (p.rcode === 'NXDOMAIN') return p.flag_aa ? null : 'NXDOMAIN without AA';
  if (p.rcode !== 'NOERROR') return `rcode ${p.rcode ?? '?'}`;
  const delegated = (p.authorities ?? []).some((r) => (r as { type: string; name: string }).type === 'NS' && canonical((r as { name: string }).name) === canonical(tld));
  return delegated ? null : `no referral for ${tld}.`;
}

/** 5. Large UDP answers: fragments dropped on the path lose every reply bigger than the path's MTU. */
export async function checkLargeAnswers(ctx: DoctorContext): Promise<CheckResult> {
  const check = 'large answers';
  const root = ctx.roots.find((r) => !isV6(r));
  if (!root) return { check, status: 'skipped', message: 'no IPv4 root address in the hints' };
  const ask = (type: string, ednsSize: number, tcp = false) => probe(ctx.transport, root.address, ctx.upstreamPort, { name: '.', type, ednsSize, dnssecOk: true, tcp }, ctx.probeTimeoutMs);
  // Over TCP first: how big the answers are when nothing in between cuts them.
  const sizes = await Promise.all(['DNSKEY', 'NS'].map(async (type) => ({ type, r: await ask(type, 4096, true) })));
  const biggest = sizes.filter((s) => s.r.ok).sort((a, b) => (b.r as { bytes: number }).bytes - (a.r as { bytes: number }).bytes)[0];
  if (!biggest) return { check, status: 'skipped', message: `${root.address} did not answer over TCP (see the transport check)` };
  const bytes = (biggest.r as { bytes: number }).bytes;
  if (bytes <= 1500) return { check, status: 'skipped', message: `the largest root answer is ${bytes} bytes: nothing over 1,500 bytes to test fragments with` };
  const big = await ask(biggest.type, 4096);
  if (big.ok && !isTruncated(big.packet)) return { check, status: 'ok', message: `a ${big.bytes}-byte UDP answer (. ${biggest.type}, 4,096-byte buffer) arrives: fragments pass` };
  const small = await ask(biggest.type, 1232);
  if (small.ok) {
    return {
      check,
      status: 'warning',
      message: `a ${bytes}-byte answer over UDP is lost (${big.ok ? 'truncated' : big.why}) while the 1,232-byte buffer works: fragments are dropped on the path`,
      fix: "rootline's default 1,232-byte EDNS buffer avoids fragments; larger answers come over TCP",
    };
  }
  return { check, status: 'problem', message: `. ${biggest.type} fails over UDP with both buffers`, fix: 'UDP replies from the roots are lost on the path: check firewall and MTU' };
}

/** 6 and 7. EDNS and DNSSEC on the path: the OPT record comes back, RRSIGs are not stripped; and the clock. */
export async function checkEdnsAndClock(ctx: DoctorContext): Promise<CheckResult[]> {
  const root = ctx.roots.find((r) => !isV6(r));
  const edns = 'EDNS and DNSSEC on the path';
  const clock = 'clock';
  if (!root) return [{ check: edns, status: 'skipped', message: 'no IPv4 root address in the hints' }, { check: clock, status: 'skipped', message: 'no root to compare with' }];
  const r = await probe(ctx.transport, root.address, ctx.upstreamPort, { name: '.', type: 'DNSKEY', ednsSize: 1232, dnssecOk: true, tcp: true }, ctx.probeTimeoutMs);
  if (!r.ok) return [{ check: edns, status: 'skipped', message: `${root.address}: ${r.why}` }, { check: clock, status: 'skipped', message: 'no root answer to compare with' }];
  const sigs = (r.packet.answers ?? []).filter((a) => (a as { type: string }).type === 'RRSIG') as unknown as { data: { inception: number; expiration: number } }[];
  const keys = (r.packet.answers ?? []).filter((a) => (a as { type: string }).type === 'DNSKEY').length;
  const results: CheckResult[] = [];
  if (hasOpt(r.packet) && keys === 0) {
    // An unsigned root (a lab's): nothing was stripped, there is nothing to check.
    return [
      { check: edns, status: 'ok', message: `EDNS answered (OPT kept); ${root.address} serves no . DNSKEY (an unsigned root zone): nothing to check for DNSSEC` },
      { check: clock, status: 'skipped', message: 'no root signature to compare the clock with' },
    ];
  }
  if (!hasOpt(r.packet)) results.push({ check: edns, status: 'problem', message: `${root.address}'s reply to an EDNS query has no OPT record: EDNS is stripped on the path`, fix: 'a middlebox rewrites DNS: bypass it (forward zone over TLS) or replace it' });
  else if (sigs.length === 0) results.push({ check: edns, status: 'warning', message: `${root.address}'s . DNSKEY came back without RRSIG to a DO query: signatures are stripped, DNSSEC validation would fail`, fix: 'a middlebox strips DNSSEC records: bypass it or replace it' });
  else results.push({ check: edns, status: 'ok', message: `EDNS answered (OPT kept), . DNSKEY signed (${sigs.length} RRSIG)` });
  if (sigs.length === 0) {
    results.push({ check: clock, status: 'skipped', message: 'no root signature to compare the clock with' });
    return results;
  }
  const now = Math.floor(ctx.nowMs() / 1000);
  const inception = Math.max(...sigs.map((s) => s.data.inception));
  const expiration = Math.min(...sigs.map((s) => s.data.expiration));
  const window = `signatures valid ${new Date(inception * 1000).toISOString()} to ${new Date(expiration * 1000).toISOString()}`;
  const here = new Date(now * 1000).toISOString();
  if (now < inception || now > expiration) {
    results.push({ check: clock, status: 'problem', message: `this clock says ${here}, outside the roots' ${window}: every signature looks ${now < inception ? 'not yet valid' : 'expired'} to DNSSEC`, fix: 'set the clock right (timedatectl set-ntp true, or chrony/ntpd)' });
  } else if (now - inception < 86_400 || expiration - now < 86_400) {
    results.push({ check: clock, status: 'warning', message: `this clock says ${here}, within a day of the edge of the roots' ${window}`, fix: 'check the clock (timedatectl status)' });
  } else {
    results.push({ check: clock, status: 'ok', message: `${here} is inside the roots' ${window}` });
  }
  return results;
}
