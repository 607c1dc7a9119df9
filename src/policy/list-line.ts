// One line of a blocklist file, in any of the three formats people download: hosts files (`0.0.0.0 name …`),
// plain domain lists (`name`), and adblock-style rules (`||name^`, `@@||name^` for an exception). Pure: text in,
// what it says out. A rule blocks its name and every name below it.
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

export type ListLine =
  | { kind: 'block'; names: string[] }
  | { kind: 'allow'; names: string[] }
  | { kind: 'skip' }
  | { kind: 'bad'; reason: string };

const SKIP: ListLine = { kind: 'skip' };

/** Names hosts files map to themselves: not rules (Pi-hole and AdGuard skip them too). */
const HOSTS_SELF_NAMES = new Set(['localhost', 'localhost.localdomain', 'local', 'broadcasthost', 'ip6-localhost', 'ip6-loopback', 'ip6-localnet', 'ip6-mcastprefix', 'ip6-allnodes', 'ip6-allrouters', 'ip6-allhosts', '0.0.0.0']);

/** Adblock modifiers that still mean "block this name" for DNS; any other makes the rule not a DNS rule. */
const DNS_MODIFIERS = new Set(['', 'important']);

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/**
 * The canonical form of a domain from a list (lower case, A-labels for IDNs, no trailing dot, `*.` dropped), or
 * null when it is not a valid domain name (RFC 1035 §2.3.4 lengths; underscores allowed, as lists use them).
 */
export function listDomain(text: string): string | null {
  let name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.startsWith('*.')) name = name.slice(2);
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(name)) name = domainToASCII(name);
  name = name.toLowerCase();
  if (name.length === 0 || name.length > 253) return null;
  for (const label of name.split('.')) if (!LABEL.test(label)) return null;
  return name;
}

function adblockRule(body: string, kind: 'block' | 'allow'): ListLine {
  const caret = body.indexOf('^');
  if (caret < 0) return { kind: 'bad', reason: 'adblock rule without ^' };
  const modifiers = body.slice(caret + 1);
  if (modifiers !== '' && !(modifiers.startsWith('$') && modifiers.slice(1).split(',').every((m) => DNS_MODIFIERS.has(m)))) {
    return { kind: 'bad', reason: `unsupported adblock modifier ${modifiers}` };
  }
  const name = listDomain(body.slice(0, caret));
  return name ? { kind, names: [name] } : { kind: 'bad', reason: `not a domain name: ${body.slice(0, caret)}` };
}

export function parseListLine(raw: string): ListLine {
  const line = raw.trim();
  if (line === '' || line.startsWith('#') || line.startsWith('!') || line.startsWith('[')) return SKIP;
  if (line.startsWith('@@||')) return adblockRule(line.slice(4), 'allow');
  if (line.startsWith('||')) return adblockRule(line.slice(2), 'block');
  const hash = line.indexOf('#');
  const tokens = (hash >= 0 ? line.slice(0, hash) : line).trim().split(/\s+/);
  if (isIP(tokens[0]!) !== 0) {
    // hosts format: ADDRESS NAME [NAME …]; whatever address, the names are blocked.
    const names: string[] = [];
    for (const t of tokens.slice(1)) {
      const name = listDomain(t);
      if (name === null) return { kind: 'bad', reason: `not a domain name: ${t}` };
      if (!HOSTS_SELF_NAMES.has(name)) names.push(name);
    }
    return names.length > 0 ? { kind: 'block', names } : SKIP;
  }
  if (tokens.length !== 1) return { kind: 'bad', reason: 'more than one name on a line without an address' };
  const name = listDomain(tokens[0]!);
  return name ? { kind: 'block', names: [name] } : { kind: 'bad', reason: `not a domain name: ${tokens[0]!}` };
}

// The same reading, straight from a file's bytes: the loader's path for the lines nearly every list is made of,
// so a million-line list loads without a string per line. It answers only what it is sure parseListLine would
// say (a test holds the two together on every shape); anything else, a non-ASCII byte (IDNs, Unicode spaces),
// an address it does not know, a modifier, a line that is not a rule, is 'unsure' and goes to the string parser,
// which also gives the reason a bad line is bad.

/** Names one line may give from bytes; a hosts line with more goes to the string parser. */
const MAX_NAMES = 64;

const SELF_NAME_BYTES = [...HOSTS_SELF_NAMES].map((n) => Buffer.from(n, 'latin1'));

/** The ASCII characters String.prototype.trim and /\s/ take as space: tab, LF, VT, FF, CR, space. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** [a-z0-9_] after lowering: what a label may start and end with. */
function isLabelEdge(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

export class ByteListLine {
  /** After read(): 'block' or 'allow' with names in from/to, 'skip', or 'unsure' (use parseListLine). */
  kind: 'block' | 'allow' | 'skip' | 'unsure' = 'skip';
  /** Names found, each bytes[from[i]..to[i]): trailing dot and `*.` dropped, letters not yet lowered. */
  count = 0;
  readonly from = new Uint32Array(MAX_NAMES);
  readonly to = new Uint32Array(MAX_NAMES);
  // Token bounds of a hosts or plain line (address first).
  private readonly tokenFrom = new Uint32Array(MAX_NAMES + 1);
  private readonly tokenTo = new Uint32Array(MAX_NAMES + 1);

  /** Reads the line b[start..end) (no '\n' in it). */
  read(b: Uint8Array, start: number, end: number): ByteListLine['kind'] {
    this.count = 0;
    while (start < end && isSpace(b[start]!)) start++;
    while (end > start && isSpace(b[end - 1]!)) end--;
    if (start === end) return (this.kind = 'skip');
    const first = b[start]!;
    if (first === 0x23 || first === 0x21 || first === 0x5b) return (this.kind = 'skip'); // # ! [
    if (first === 0x40 && end - start >= 4 && b[start + 1] === 0x40 && b[start + 2] === 0x7c && b[start + 3] === 0x7c) return (this.kind = this.adblock(b, start + 4, end, 'allow'));
    if (first === 0x7c && end - start >= 2 && b[start + 1] === 0x7c) return (this.kind = this.adblock(b, start + 2, end, 'block'));
    return (this.kind = this.hostsOrPlain(b, start, end));
  }

  /** `||name^` with no modifier; anything else is for the string parser. */
  private adblock(b: Uint8Array, body: number, end: number, kind: 'block' | 'allow'): ByteListLine['kind'] {
    if (b[end - 1] !== 0x5e) return 'unsure';
    const caret = end - 1;
    for (let k = body; k < caret; k++) if (b[k] === 0x5e) return 'unsure';
    return this.name(b, body, caret) ? kind : 'unsure';
  }

  private hostsOrPlain(b: Uint8Array, start: number, end: number): ByteListLine['kind'] {
    let tokens = 0;
    let open = -1;
    for (let k = start; k < end; k++) {
      const c = b[k]!;
      if (c === 0x23) {
        end = k; // '#': the rest is a comment
        break;
      }
      if (c >= 0x80) return 'unsure';
      if (isSpace(c)) {
        if (open >= 0) {
          this.tokenTo[tokens++] = k;
          open = -1;
        }
      } else if (open < 0) {
        if (tokens > MAX_NAMES) return 'unsure';
        this.tokenFrom[tokens] = open = k;
      }
    }
    if (open >= 0) this.tokenTo[tokens++] = end;
    const address = this.address(b, this.tokenFrom[0]!, this.tokenTo[0]!);
    if (address === 'unsure') return 'unsure';
    if (address === 'no') {
      if (tokens !== 1) return 'unsure';
      return this.name(b, this.tokenFrom[0]!, this.tokenTo[0]!) ? 'block' : 'unsure';
    }
    for (let t = 1; t < tokens; t++) {
      if (!this.name(b, this.tokenFrom[t]!, this.tokenTo[t]!)) return 'unsure';
      if (this.isSelfName(b, this.count - 1)) this.count--;
    }
    return this.count > 0 ? 'block' : 'skip';
  }

  /**
   * Whether the token is an address (isIP): 'yes' for the two hosts files use, 'no' when it cannot be one (an
   * IPv4 address is digits and dots only, an IPv6 address has a colon), 'unsure' for the rest.
   */
  private address(b: Uint8Array, from: number, to: number): 'yes' | 'no' | 'unsure' {
    let digitsAndDots = true;
    for (let k = from; k < to; k++) {
      const c = b[k]!;
      if (c === 0x3a) return 'unsure';
      if (c !== 0x2e && (c < 0x30 || c > 0x39)) digitsAndDots = false;
    }
    if (!digitsAndDots) return 'no';
    return equalsAscii(b, from, to, '0.0.0.0') || equalsAscii(b, from, to, '127.0.0.1') ? 'yes' : 'unsure';
  }

  /** listDomain on ASCII bytes: records the name and says true when it is a domain name. */
  private name(b: Uint8Array, from: number, to: number): boolean {
    if (to > from && b[to - 1] === 0x2e) to--;
    if (to - from >= 2 && b[from] === 0x2a && b[from + 1] === 0x2e) from += 2;
    const length = to - from;
    if (length === 0 || length > 253) return false;
    let label = from;
    for (let k = from; k <= to; k++) {
      if (k === to || b[k] === 0x2e) {
        const size = k - label;
        if (size === 0 || size > 63 || !isLabelEdge(lower(b[label]!)) || !isLabelEdge(lower(b[k - 1]!))) return false;
        label = k + 1;
        continue;
      }
      const c = lower(b[k]!);
      if (!isLabelEdge(c) && c !== 0x2d) return false;
    }
    this.from[this.count] = from;
    this.to[this.count] = to;
    this.count++;
    return true;
  }

  private isSelfName(b: Uint8Array, i: number): boolean {
    const from = this.from[i]!;
    const length = this.to[i]! - from;
    for (const self of SELF_NAME_BYTES) {
      if (self.length !== length) continue;
      let k = 0;
      while (k < length && lower(b[from + k]!) === self[k]) k++;
      if (k === length) return true;
    }
    return false;
  }
}

function equalsAscii(b: Uint8Array, from: number, to: number, text: string): boolean {
  if (to - from !== text.length) return false;
  for (let k = 0; k < text.length; k++) if (b[from + k] !== text.charCodeAt(k)) return false;
  return true;
}
