// Which clients may query: CIDR allow-list (loopback and private networks by default: not an open resolver).
// Precomputed so that a check per query is a few integer comparisons.
import { isIPv4, isIPv6 } from 'node:net';
import { ErrorCode, RootlineError } from '../errors.js';

export interface Acl {
  allows(address: string): boolean;
}

const MEMO_LIMIT = 4096;

interface V4Range {
  base: number;
  mask: number;
}

interface V6Range {
  bytes: Uint8Array;
  prefix: number;
}

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

function badCidr(cidr: string, why: string): RootlineError {
  return new RootlineError(ErrorCode.CONFIG_VALUE, `'${cidr}' is not a valid network for 'allow': ${why} (e.g. 192.168.0.0/16 or fd00::/8)`);
}

export function createAcl(cidrs: readonly string[]): Acl {
  const v4: V4Range[] = [];
  const v6: V6Range[] = [];
  for (const cidr of cidrs) {
    const [addr, prefixText] = cidr.trim().split('/');
    const family = isIPv4(addr ?? '') ? 4 : isIPv6(addr ?? '') ? 6 : 0;
    if (family === 0) throw badCidr(cidr, 'not an IP address');
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (!/^\d+$/.test(prefixText ?? String(max)) || prefix > max) throw badCidr(cidr, `prefix must be 0 to ${max}`);
    if (family === 4) {
      const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
      v4.push({ base: (v4ToInt(addr!) & mask) >>> 0, mask });
    } else {
      v6.push({ bytes: v6ToBytes(addr!), prefix });
    }
  }
  const allowV4 = (n: number): boolean => v4.some((r) => ((n & r.mask) >>> 0) === r.base);
  const allowV6 = (b: Uint8Array): boolean =>
    v6.some((r) => {
      let bits = r.prefix;
      for (let i = 0; bits > 0; i++, bits -= 8) {
        const m = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
        if ((b[i]! & m) !== (r.bytes[i]! & m)) return false;
      }
      return true;
    });
  const decide = (address: string): boolean => {
    if (isIPv4(address)) return allowV4(v4ToInt(address));
    // IPv4-mapped IPv6 (::ffff:a.b.c.d), as dual-stack sockets report IPv4 clients.
    if (address.startsWith('::ffff:') && isIPv4(address.slice(7))) return allowV4(v4ToInt(address.slice(7)));
    return isIPv6(address) && allowV6(v6ToBytes(address));
  };
  // Clients are few and come back: remember decisions (bounded, cleared when full).
  const memo = new Map<string, boolean>();
  return {
    allows(address: string): boolean {
      let ok = memo.get(address);
      if (ok === undefined) {
        ok = decide(address);
        if (memo.size >= MEMO_LIMIT) memo.clear();
        memo.set(address, ok);
      }
      return ok;
    },
  };
}
