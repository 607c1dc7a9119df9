// Zone-file-style record text (RFC 1035 §5.1) → a record in dns-packet's shape, for `local-data`. Pure, and a
// value result, never a throw. In wire/ rather than policy/ so the config loader can check entries with it.
import { isIPv4, isIPv6 } from 'node:net';
import type { RR } from './types.js';

/** TTL of a local-data record written without one, seconds. */
export const DEFAULT_LOCAL_TTL = 3600;

/** The types `local-data` accepts. */
export const LOCAL_DATA_TYPES = ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV', 'PTR', 'NS'] as const;

export type RecordParse = { ok: true; rr: RR } | { ok: false; reason: string };

/** RFC 2181 §8: a TTL is an unsigned 31-bit number. */
const MAX_TTL = 2 ** 31 - 1;

/** A character string in a zone file: quoted ("a b", with \" \\ and \DDD escapes) or bare. */
interface Token {
  text: string;
  bytes: Buffer;
  quoted: boolean;
}

function tokenize(line: string): { ok: true; tokens: Token[] } | { ok: false; reason: string } {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === ';') break; // a comment runs to the end of the line
    const quoted = c === '"';
    if (quoted) i++;
    const bytes: number[] = [];
    let closed = !quoted;
    while (i < line.length) {
      const ch = line[i]!;
      if (quoted && ch === '"') {
        closed = true;
        i++;
        break;
      }
      if (!quoted && (ch === ' ' || ch === '\t' || ch === '"' || ch === ';')) break;
      if (ch === '\\') {
        const digits = /^\d{3}/.exec(line.slice(i + 1, i + 4));
        if (digits) {
          const v = Number(digits[0]);
          if (v > 255) return { ok: false, reason: `escape \\${digits[0]} is not a byte` };
          bytes.push(v);
          i += 4;
          continue;
        }
        if (i + 1 >= line.length) return { ok: false, reason: 'a backslash ends the line' };
        bytes.push(...Buffer.from(line[i + 1]!, 'utf8'));
        i += 2;
        continue;
      }
      bytes.push(...Buffer.from(ch, 'utf8'));
      i++;
    }
    if (!closed) return { ok: false, reason: 'a quoted string is not closed' };
    const buf = Buffer.from(bytes);
    tokens.push({ text: buf.toString('utf8'), bytes: buf, quoted });
  }
  return { ok: true, tokens };
}

/**
 * A domain name as local data may hold it: labels of letters, digits, '-', '_' (SRV owners) and '/' (RFC 2317
 * reverse zones), at most 63 bytes each and 253 in all (RFC 1035 §2.3.4). Every name is absolute: a trailing dot
 * is optional and there is no $ORIGIN. The result has no trailing dot; the root is ".".
 */
export function checkName(text: string, what: string): { ok: true; name: string } | { ok: false; reason: string } {
  if (text === '.') return { ok: true, name: '.' };
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name === '') return { ok: false, reason: `${what} is empty` };
  if (name.length > 253) return { ok: false, reason: `${what} '${text}' is longer than 253 characters` };
  for (const label of name.split('.')) {
    if (label === '') return { ok: false, reason: `${what} '${text}' has an empty label` };
    if (label.length > 63) return { ok: false, reason: `${what} '${text}' has a label longer than 63 characters` };
    if (label.includes('*')) return { ok: false, reason: `${what} '${text}': wildcards are not supported` };
    if (!/^[A-Za-z0-9_/-]+$/.test(label)) return { ok: false, reason: `${what} '${text}' has a character other than letters, digits, '-', '_' or '/'` };
  }
  return { ok: true, name };
}

function u16(text: string | undefined, what: string): number | string {
  if (text === undefined || !/^\d+$/.test(text) || Number(text) > 65_535) return `${what} must be a number from 0 to 65535, got '${text ?? ''}'`;
  return Number(text);
}

/** The rdata of one type from its tokens, or the reason it cannot be read. */
function rdata(type: string, args: readonly Token[]): { ok: true; data: unknown } | { ok: false; reason: string } {
  const texts = args.map((t) => t.text);
  const count = (n: number, shape: string): string | null =>
    args.length === n ? null : `${type} needs ${shape}, got ${args.length === 0 ? 'nothing' : `'${texts.join(' ')}'`}`;
  const name = (i: number, what: string): { ok: true; name: string } | { ok: false; reason: string } => checkName(texts[i] ?? '', what);
  switch (type) {
    case 'A': {
      const bad = count(1, 'one IPv4 address');
      if (bad) return { ok: false, reason: bad };
      return isIPv4(texts[0]!) ? { ok: true, data: texts[0] } : { ok: false, reason: `'${texts[0]}' is not an IPv4 address` };
    }
    case 'AAAA': {
      const bad = count(1, 'one IPv6 address');
      if (bad) return { ok: false, reason: bad };
      return isIPv6(texts[0]!) && !texts[0]!.includes('%') ? { ok: true, data: texts[0] } : { ok: false, reason: `'${texts[0]}' is not an IPv6 address` };
    }
    case 'CNAME':
    case 'PTR':
    case 'NS': {
      const bad = count(1, 'one name');
      if (bad) return { ok: false, reason: bad };
      const n = name(0, `the ${type} target`);
      return n.ok ? { ok: true, data: n.name } : n;
    }
    case 'MX': {
      const bad = count(2, 'a preference and a mail server name');
      if (bad) return { ok: false, reason: bad };
      const preference = u16(texts[0], 'the MX preference');
      if (typeof preference === 'string') return { ok: false, reason: preference };
      const n = name(1, 'the MX mail server');
      return n.ok ? { ok: true, data: { preference, exchange: n.name } } : n;
    }
    case 'SRV': {
      const bad = count(4, 'priority, weight, port and target');
      if (bad) return { ok: false, reason: bad };
      const [priority, weight, port] = [u16(texts[0], 'the SRV priority'), u16(texts[1], 'the SRV weight'), u16(texts[2], 'the SRV port')];
      for (const v of [priority, weight, port]) if (typeof v === 'string') return { ok: false, reason: v };
      const n = name(3, 'the SRV target');
      return n.ok ? { ok: true, data: { priority, weight, port, target: n.name } } : n;
    }
    case 'TXT': {
      if (args.length === 0) return { ok: false, reason: 'TXT needs at least one string' };
      // RFC 1035 §3.3: each character string is at most 255 bytes.
      const long = args.find((t) => t.bytes.length > 255);
      if (long) return { ok: false, reason: `a TXT string is longer than 255 bytes ('${long.text.slice(0, 20)}…')` };
      return { ok: true, data: args.map((t) => t.bytes) };
    }
    default:
      return { ok: false, reason: `type '${type}' is not supported (one of ${LOCAL_DATA_TYPES.join(', ')})` };
  }
}

/**
 * One record: `NAME [TTL] [IN] TYPE RDATA`, TTL and class in either order (RFC 1035 §5.1), both optional
 * (TTL 3600). Names are absolute with or without the trailing dot. Types: A, AAAA, CNAME, TXT, MX, SRV, PTR, NS.
 */
export function parseRecordText(line: string): RecordParse {
  const t = tokenize(line);
  if (!t.ok) return t;
  const tokens = t.tokens;
  if (tokens.length === 0) return { ok: false, reason: 'the record is empty' };
  const owner = tokens[0]!;
  if (owner.quoted) return { ok: false, reason: 'the owner name cannot be quoted' };
  const ownerName = checkName(owner.text, 'the owner name');
  if (!ownerName.ok) return ownerName;
  if (ownerName.name === '.') return { ok: false, reason: 'the root cannot hold local data' };
  let ttl: number | undefined;
  let cls: string | undefined;
  let i = 1;
  for (; i < tokens.length && i <= 2; i++) {
    const text = tokens[i]!.text;
    if (tokens[i]!.quoted) break;
    if (/^\d+$/.test(text) && ttl === undefined) {
      if (Number(text) > MAX_TTL) return { ok: false, reason: `TTL ${text} is larger than ${MAX_TTL} (RFC 2181 §8)` };
      ttl = Number(text);
    } else if (/^(IN|CH|HS|CS)$/i.test(text) && cls === undefined) {
      cls = text.toUpperCase();
    } else {
      break;
    }
  }
  if (cls !== undefined && cls !== 'IN') return { ok: false, reason: `class ${cls} is not served (only IN)` };
  const typeToken = tokens[i];
  if (!typeToken || typeToken.quoted) return { ok: false, reason: 'expected NAME [TTL] [IN] TYPE DATA: no type' };
  const type = typeToken.text.toUpperCase();
  if (!(LOCAL_DATA_TYPES as readonly string[]).includes(type)) {
    return { ok: false, reason: `type '${typeToken.text}' is not supported (one of ${LOCAL_DATA_TYPES.join(', ')})` };
  }
  const args = tokens.slice(i + 1);
  if (type !== 'TXT') {
    const quoted = args.find((a) => a.quoted);
    if (quoted) return { ok: false, reason: `${type} data cannot be a quoted string` };
  }
  const data = rdata(type, args);
  if (!data.ok) return data;
  return { ok: true, rr: { name: ownerName.name, type, class: 'IN', ttl: ttl ?? DEFAULT_LOCAL_TTL, data: data.data } };
}
