// Loopback upstreams (Unbound's do-not-query-localhost): an address on this host, learnt from a delegation on the
// internet, is a way for any zone owner to make the resolver query local services. Such addresses are asked
// only in a lab — root hints on loopback — or when the config allows it.
import type { RootHints } from './hints.js';

/** 127.0.0.0/8 (RFC 1122 §3.2.1.3), ::1 (RFC 4291 §2.5.3), and 127/8 written as an IPv4-mapped IPv6 address. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase();
  if (a.startsWith('127.') || a.startsWith('::ffff:127.')) return true;
  if (!a.includes(':')) return false;
  // Expand "::" to the zero groups it stands for, then compare with 0:0:0:0:0:0:0:1.
  const [head = '', tail] = a.split('::');
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const given = tail === undefined ? groups(head) : [...groups(head), ...Array<string>(8 - groups(head).length - groups(tail).length).fill('0'), ...groups(tail)];
  return given.length === 8 && given.every((g, i) => parseInt(g, 16) === (i === 7 ? 1 : 0));
}

/** Whether loopback servers may be asked: the setting allows it, or the root hints themselves are on loopback. */
export function mayQueryLoopback(doNotQueryLocalhost: boolean, hints: RootHints): boolean {
  if (!doNotQueryLocalhost) return true;
  return [...hints.addresses.values()].some((list) => list.some(isLoopbackAddress));
}
