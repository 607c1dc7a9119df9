// Checking `forward-zones:` and `stub-zones:` entries: a list of maps, each with a zone name, its servers and
// what to do when they all fail. Every problem names the key, the entry's line and what to write instead.
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { DEFAULT_DNS_PORT, parseHostPort } from '../util/host-port.js';
import { canonical } from '../wire/names.js';
import { ConfigNodeError } from './node-error.js';
import type { ZoneEntry } from './schema.js';

const FIELDS = ['name', 'servers', 'fallback', 'tcp', 'tls', 'tls-name', 'tls-pin', 'tls-ca', 'tls-fallback'] as const;
/** RFC 7858 §3.1: DNS over TLS listens on 853. */
const DOT_PORT = 853;
/** Base64 of a SHA-256 digest (RFC 7469 §2.4). */
const PIN = /^[A-Za-z0-9+/]{43}=$/;
const EXAMPLE = "- name: lan\n    servers: [192.168.1.1]";

/** RFC 1035 §2.3.4: labels of 1-63 octets, 255 octets in all (253 characters written out). */
export function zoneNameProblem(name: string): string | null {
  const c = canonical(name);
  if (c === '.') return null;
  if (c.length > 253) return 'is longer than 253 characters';
  if (c.split('.').some((l) => l.length === 0 || l.length > 63)) return 'has an empty label or one longer than 63 characters';
  if (/\s/.test(c)) return 'has a space in it';
  return null;
}

function scalar(node: unknown): unknown {
  return isScalar(node) ? node.value : undefined;
}

/** The entries of one key, or a ConfigNodeError at the node that is wrong. */
export function parseZoneEntries(key: string, value: Node | null): ZoneEntry[] {
  if (!isSeq(value)) throw new ConfigNodeError(value, `'${key}' must be a list of zones, e.g.\n  ${key}:\n  ${EXAMPLE}`);
  const seen = new Set<string>();
  return value.items.map((item) => {
    const entry = parseEntry(key, item as Node);
    if (seen.has(entry.name)) throw new ConfigNodeError(item as Node, `'${key}' lists ${entry.name} twice`);
    seen.add(entry.name);
    return entry;
  });
}

function parseEntry(key: string, item: Node): ZoneEntry {
  if (!isMap(item)) throw new ConfigNodeError(item, `each '${key}' entry must be a map with name and servers, e.g.\n  ${EXAMPLE}`);
  const fields = new Map<string, Node | null>();
  for (const pair of item.items) {
    const field = String(scalar(pair.key));
    if (!(FIELDS as readonly string[]).includes(field)) {
      throw new ConfigNodeError(pair.key as Node, `'${key}' entry: unknown field '${field}' (use ${FIELDS.join(', ')})`);
    }
    fields.set(field, pair.value as Node | null);
  }
  const nameNode = fields.get('name');
  const name = scalar(nameNode);
  if (typeof name !== 'string' || name === '') throw new ConfigNodeError(nameNode ?? item, `'${key}' entry needs a name (the zone, e.g. lan or 168.192.in-addr.arpa)`);
  const nameProblem = zoneNameProblem(name);
  if (nameProblem) throw new ConfigNodeError(nameNode ?? item, `'${key}' entry: zone name '${name}' ${nameProblem}`);
  const zone = canonical(name);
  const tcpNode = fields.get('tcp');
  const tcp = tcpNode === undefined ? false : scalar(tcpNode);
  if (typeof tcp !== 'boolean') throw new ConfigNodeError(tcpNode ?? item, `'${key}' ${zone}: tcp must be true or false, got '${String(tcp)}'`);
  const tls = parseTls(key, zone, fields, item, tcp);
  const servers = parseServers(key, zone, fields.get('servers'), item, tls ? DOT_PORT : undefined);
  const fallbackNode = fields.get('fallback');
  const fallback = fallbackNode === undefined ? 'servfail' : scalar(fallbackNode);
  if (fallback !== 'recurse' && fallback !== 'servfail') {
    throw new ConfigNodeError(fallbackNode ?? item, `'${key}' ${zone}: fallback must be recurse or servfail, got '${String(fallback)}'`);
  }
  return { name: zone, servers, fallback, tcp, ...(tls ? { tls } : {}) };
}

/**
 * tls: true with tls-name (checked against tls-ca or the system store) and/or tls-pin, and tls-fallback: none (the
 * default: TLS or SERVFAIL, RFC 8310 §5's strict profile) or plain (plain DNS to port 53 of the same servers when
 * TLS fails: its opportunistic profile, private only while nobody interferes); forward zones only.
 */
function parseTls(key: string, zone: string, fields: Map<string, Node | null>, item: Node, tcp: boolean): ZoneEntry['tls'] {
  const on = fields.has('tls') ? scalar(fields.get('tls')) : false;
  if (typeof on !== 'boolean') throw new ConfigNodeError(fields.get('tls') ?? item, `'${key}' ${zone}: tls must be true or false, got '${String(on)}'`);
  const text = (field: string): string => {
    const v = fields.has(field) ? scalar(fields.get(field)) : '';
    if (typeof v !== 'string') throw new ConfigNodeError(fields.get(field) ?? item, `'${key}' ${zone}: ${field} must be a string`);
    return v;
  };
  const name = text('tls-name');
  const pin = text('tls-pin');
  const ca = text('tls-ca');
  const fallbackNode = fields.get('tls-fallback');
  const fallback = fallbackNode === undefined ? 'none' : scalar(fallbackNode);
  if (fallback !== 'none' && fallback !== 'plain') {
    throw new ConfigNodeError(fallbackNode ?? item, `'${key}' ${zone}: tls-fallback must be none (TLS or nothing) or plain (plain DNS when TLS fails), got '${String(fallback)}'`);
  }
  if (!on) {
    if (name || pin || ca || fallbackNode !== undefined) throw new ConfigNodeError(item, `'${key}' ${zone}: tls-name, tls-pin, tls-ca and tls-fallback need tls: true`);
    return undefined;
  }
  if (key !== 'forward-zones') throw new ConfigNodeError(fields.get('tls') ?? item, `'${key}' ${zone}: tls is for forward-zones (recursive servers that speak DNS over TLS)`);
  if (!name && !pin) throw new ConfigNodeError(item, `'${key}' ${zone}: tls: true needs tls-name (the name on the server's certificate) or tls-pin (its SPKI pin)`);
  if (pin && !PIN.test(pin)) throw new ConfigNodeError(fields.get('tls-pin') ?? item, `'${key}' ${zone}: tls-pin must be a base64 SHA-256 digest (44 characters ending in =)`);
  return { name, pin, ca, ...(fallback === 'plain' ? { plain: { port: DEFAULT_DNS_PORT, tcp } } : {}) };
}

function parseServers(key: string, zone: string, node: Node | null | undefined, item: Node, defaultPort?: number): ZoneEntry['servers'] {
  const list = isSeq(node) ? node.items : isScalar(node) ? [node] : null;
  if (!list || list.length === 0) {
    throw new ConfigNodeError(node ?? item, `'${key}' ${zone}: servers must list at least one address, ADDR, ADDR@PORT, ADDR:PORT or [V6]:PORT`);
  }
  return list.map((s) => {
    const text = scalar(s);
    const parsed = typeof text === 'string' ? parseHostPort(text, defaultPort) : { ok: false as const, why: 'expected an address' };
    if (!parsed.ok) throw new ConfigNodeError(s as Node, `'${key}' ${zone}: server '${String(text)}': ${parsed.why} (servers are addresses, not names)`);
    return { address: parsed.address, port: parsed.port };
  });
}
