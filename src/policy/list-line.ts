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
