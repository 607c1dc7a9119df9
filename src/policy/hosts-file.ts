// /etc/hosts syntax → local records: `ADDR name [name...]` per line, '#' comments, IPv4 and IPv6. Pure: text in,
// records and the lines it had to skip out. Each address also gets a PTR to its first name (in-addr.arpa,
// ip6.arpa), like the system resolver's reverse lookup of a hosts file.
import { isIPv4, isIPv6 } from 'node:net';
import { v6ToBytes } from '../util/cidr.js';
import { checkName, DEFAULT_LOCAL_TTL } from '../wire/record-text.js';
import type { RR } from '../wire/types.js';

export interface HostsEntry {
  address: string;
  family: 4 | 6;
  /** As written, without a trailing dot; the first is the canonical name (the PTR target). */
  names: string[];
  /** 1-based line in the file. */
  line: number;
}

export interface SkippedLine {
  line: number;
  text: string;
  reason: string;
}

export interface HostsParse {
  entries: HostsEntry[];
  skipped: SkippedLine[];
}

/** The reverse-lookup name of an address (RFC 1035 §3.5 in-addr.arpa; RFC 3596 §2.5 ip6.arpa, 32 nibbles lowest first). */
export function reverseName(address: string): string {
  if (isIPv4(address)) return `${address.split('.').reverse().join('.')}.in-addr.arpa`;
  const nibbles: string[] = [];
  for (const b of v6ToBytes(address)) nibbles.push((b >> 4).toString(16), (b & 0xf).toString(16));
  return `${nibbles.reverse().join('.')}.ip6.arpa`;
}

/** Reads a hosts file. A line that cannot be read is skipped (and reported), never fatal. */
export function parseHosts(text: string): HostsParse {
  const entries: HostsEntry[] = [];
  const skipped: SkippedLine[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const hash = raw.indexOf('#');
    const fields = (hash === -1 ? raw : raw.slice(0, hash)).trim().split(/\s+/).filter((f) => f !== '');
    if (fields.length === 0) return;
    const skip = (reason: string): void => void skipped.push({ line, text: raw.trim(), reason });
    const [address, ...names] = fields as [string, ...string[]];
    const family = isIPv4(address) ? 4 : isIPv6(address) && !address.includes('%') ? 6 : 0;
    if (family === 0) return skip(address.includes('%') ? `'${address}' has a zone index, which DNS cannot carry` : `'${address}' is not an IPv4 or IPv6 address`);
    if (names.length === 0) return skip(`no name for ${address}`);
    const checked: string[] = [];
    for (const n of names) {
      const c = checkName(n, 'the name');
      if (!c.ok) return skip(c.reason);
      if (c.name === '.') return skip('the root cannot be a host name');
      checked.push(c.name);
    }
    entries.push({ address, family, names: checked, line });
  });
  return { entries, skipped };
}

/**
 * The records of hosts entries: an A or AAAA per name and address, and a PTR from each address to the first name
 * of the first line that has it (later lines for the same address add names, not PTRs).
 */
export function hostsRecords(entries: readonly HostsEntry[], ttl = DEFAULT_LOCAL_TTL): { forward: RR[]; reverse: RR[] } {
  const forward: RR[] = [];
  const reverse: RR[] = [];
  const reversed = new Set<string>();
  for (const e of entries) {
    for (const name of e.names) forward.push({ name, type: e.family === 4 ? 'A' : 'AAAA', class: 'IN', ttl, data: e.address });
    const ptr = reverseName(e.address);
    if (reversed.has(ptr)) continue;
    reversed.add(ptr);
    reverse.push({ name: ptr, type: 'PTR', class: 'IN', ttl, data: e.names[0]! });
  }
  return { forward, reverse };
}
