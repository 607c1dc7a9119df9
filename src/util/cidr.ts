// IP networks in CIDR notation: parsing (a value result, never a throw) and matching an address against them.
// Parsed once into integers and bytes so that matching is a few integer comparisons.
import { isIPv4, isIPv6 } from 'node:net';
import { ErrorCode, RootlineError } from '../errors.js';

export type Cidr =
  | { family: 4; base: number; mask: number }
  | { family: 6; bytes: Uint8Array; prefix: number };

export type CidrParse = { ok: true; cidr: Cidr } | { ok: false; reason: string };

function v4ToInt(address: string): number {
  const p = address.split('.');
  return ((Number(p[0]) << 24) | (Number(p[1]) << 16) | (Number(p[2]) << 8) | Number(p[3])) >>> 0;
}

/** Expands an IPv6 address (with ::, and a dotted IPv4 tail) to 16 bytes. */
export function v6ToBytes(address: string): Uint8Array {
  const out = new Uint8Array(16);
  let text = address.split('%')[0]!;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const n = v4ToInt(tail[1]!);
    text = text.slice(0, -tail[1]!.length) + `${((n >>> 16) & 0xffff).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const headParts = head ? head.split(':').filter((x) => x !== '') : [];
  const restParts = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const groups = rest === undefined ? headParts : [...headParts, ...Array(8 - headParts.length - restParts.length).fill('0'), ...restParts];
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

/** The message for a network a setting cannot use, naming the setting (e.g. 'allow'). */
export function badNetworkMessage(setting: string, text: string, reason: string): string {
  return `'${text}' is not a valid network for '${setting}': ${reason} (e.g. 192.168.0.0/16 or fd00::/8)`;
}

/** "192.168.0.0/16", "fd00::/8", or a bare address (a /32 or /128). */
export function parseCidr(text: string): CidrParse {
  const [addr = '', prefixText] = text.trim().split('/');
  const family = isIPv4(addr) ? 4 : isIPv6(addr) ? 6 : 0;
  if (family === 0) return { ok: false, reason: 'not an IP address' };
  const max = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!/^\d+$/.test(prefixText ?? String(max)) || prefix > max) return { ok: false, reason: `prefix must be 0 to ${max}` };
  if (family === 4) {
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return { ok: true, cidr: { family: 4, base: (v4ToInt(addr) & mask) >>> 0, mask } };
  }
  return { ok: true, cidr: { family: 6, bytes: v6ToBytes(addr), prefix } };
}

function v6InPrefix(b: Uint8Array, net: Uint8Array, prefix: number): boolean {
  let bits = prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const m = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((b[i]! & m) !== (net[i]! & m)) return false;
  }
  return true;
}

/**
 * Whether an address is inside any of the networks. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, as dual-stack
 * sockets report IPv4 clients) is matched as the IPv4 address it carries.
 */
export function inAnyCidr(networks: readonly Cidr[], address: string): boolean {
  const v4 = isIPv4(address) ? address : address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : null;
  if (v4 !== null) {
    const n = v4ToInt(v4);
    return networks.some((c) => c.family === 4 && ((n & c.mask) >>> 0) === c.base);
  }
  if (!isIPv6(address)) return false;
  const b = v6ToBytes(address);
  return networks.some((c) => c.family === 6 && v6InPrefix(b, c.bytes, c.prefix));
}

/** Every network of a setting, or an error naming the setting and the first bad one. */
export function parseCidrs(setting: string, texts: readonly string[]): Cidr[] {
  return texts.map((text) => {
    const parsed = parseCidr(text);
    if (!parsed.ok) throw new RootlineError(ErrorCode.CONFIG_VALUE, badNetworkMessage(setting, text, parsed.reason));
    return parsed.cidr;
  });
}
