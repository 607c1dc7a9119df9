// Domain-name helpers on presentation-form strings as dns-packet gives them ("www.example.com", root = ".").
// All comparisons are case-insensitive (RFC 1035 §2.3.3), so names are compared in canonical (lower-case) form.

/** Canonical form: lower case, no trailing dot, root is ".". */
export function canonical(name: string): string {
  if (name === '' || name === '.') return '.';
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  return trimmed.toLowerCase();
}

/** Labels from the leftmost; the root has none. */
export function labels(name: string): string[] {
  const c = canonical(name);
  return c === '.' ? [] : c.split('.');
}

export function labelCount(name: string): number {
  return labels(name).length;
}

/** True when `name` equals `zone` or lies below it (both compared canonically). */
export function isInZone(name: string, zone: string): boolean {
  const n = canonical(name);
  const z = canonical(zone);
  if (z === '.') return true;
  return n === z || n.endsWith('.' + z);
}

/** The parent of a name; the root's parent is the root. */
export function parentOf(name: string): string {
  const c = canonical(name);
  if (c === '.') return '.';
  const dot = c.indexOf('.');
  return dot === -1 ? '.' : c.slice(dot + 1);
}

/** The name cut to its last `count` labels ("a.b.example.com", 2 → "example.com"). */
export function suffixOf(name: string, count: number): string {
  const ls = labels(name);
  if (count <= 0) return '.';
  if (count >= ls.length) return ls.length === 0 ? '.' : ls.join('.');
  return ls.slice(ls.length - count).join('.');
}

/** With a trailing dot, as dig and zone files print names. */
export function absolute(name: string): string {
  const c = name === '' ? '.' : name;
  return c.endsWith('.') ? c : c + '.';
}

/**
 * 0x20 encoding (draft-vixie-dnsext-dns0x20): flip the case of each letter at random, so a spoofed reply must
 * also guess the case pattern the server echoes back.
 */
export function randomiseCase(name: string, randomBits: () => number): string {
  let out = '';
  let bits = 0;
  let left = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const isLetter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (!isLetter) {
      out += name[i];
      continue;
    }
    if (left === 0) {
      bits = randomBits();
      left = 16;
    }
    out += String.fromCharCode(bits & 1 ? c & ~0x20 : c | 0x20);
    bits >>= 1;
    left--;
  }
  return out;
}

/**
 * Undoes 0x20 in a reply: writes `plainName` (same name, other letter case) over the reply's question name, so
 * every name compressed against the question decodes in plain case. Returns false if the lengths differ.
 */
export function restoreQuestionCase(reply: Buffer, plainName: string): boolean {
  const ls = plainName === '.' || plainName === '' ? [] : plainName.replace(/\.$/, '').split('.');
  let off = 12;
  for (const label of ls) {
    if (reply[off] !== label.length) return false;
    for (let i = 0; i < label.length; i++) {
      const c = label.charCodeAt(i);
      const r = reply[off + 1 + i]!;
      if ((c | 0x20) !== (r | 0x20)) return false;
    }
    off += label.length + 1;
  }
  if (reply[off] !== 0) return false;
  off = 12;
  for (const label of ls) {
    reply.write(label, off + 1, 'latin1');
    off += label.length + 1;
  }
  return true;
}
