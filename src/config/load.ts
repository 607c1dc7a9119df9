// Loading the YAML config file: every problem is reported with the file, the line and the key.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { ErrorCode, RootlineError } from '../errors.js';
import { metricsListenError } from './metrics-address.js';
import { webListenError } from './web-address.js';
import { badNetworkMessage, parseCidr } from '../util/cidr.js';
import { canonical } from '../wire/names.js';
import { parseRecordText } from '../wire/record-text.js';
import { CONFIG_KEYS, type Check, type KeySpec } from './keys.js';
import type { Config } from './schema.js';
import { parseLocalZones } from './local-zone-rules.js';
import { ConfigNodeError } from './node-error.js';
import { parseZoneEntries } from './zone-entries.js';

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

function suggestion(key: string): string {
  const best = CONFIG_KEYS.map((k) => ({ k: k.key, d: editDistance(key, k.key) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= 3 ? ` (did you mean '${best.k}'?)` : '';
}

function describe(check: Check): string {
  switch (check.kind) {
    case 'int':
      return `a whole number of ${check.unit} from ${check.min} to ${check.max}`;
    case 'bool':
      return 'true or false';
    case 'auto-bool':
      return 'auto, true or false';
    case 'auto-int':
      return `auto or a whole number from ${check.min} to ${check.max}`;
    case 'enum':
      return `one of ${check.values.join(', ')}`;
    case 'string':
      return 'a string';
    case 'strings':
      return 'a string or a list of strings';
    case 'zones':
      return 'a list of zones, each with name and servers';
    case 'local-zones':
      return 'true, false or a list of "NAME TYPE" rules';
    default: {
      const never: never = check;
      return String(never);
    }
  }
}

/** The checked value, or undefined when it does not fit. */
function convert(check: Check, node: Node | null): unknown {
  const v = isScalar(node) ? node.value : undefined;
  switch (check.kind) {
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && v >= check.min && v <= check.max ? v : undefined;
    case 'bool':
      return typeof v === 'boolean' ? v : undefined;
    case 'auto-bool':
      return typeof v === 'boolean' || v === 'auto' ? v : undefined;
    case 'auto-int':
      return v === 'auto' || (typeof v === 'number' && Number.isInteger(v) && v >= check.min && v <= check.max) ? v : undefined;
    case 'enum':
      return typeof v === 'string' && check.values.includes(v) ? v : undefined;
    case 'string':
      return typeof v === 'string' && (v !== '' || check.allowEmpty) ? v : undefined;
    case 'strings':
      if (typeof v === 'string') return [v];
      if (isSeq(node) && node.items.every((i) => isScalar(i) && typeof i.value === 'string')) return node.items.map((i) => (i as { value: string }).value);
      return undefined;
    case 'zones':
    case 'local-zones':
      return node; // checked entry by entry, each with its own line
    default: {
      const never: never = check;
      return never;
    }
  }
}

/**
 * Checks `local-data` entries: each must parse, and a CNAME must be alone at its name (RFC 1034 §3.6.2; the same
 * rule LocalData.add applies). Returns the index and reason of the first bad entry, or null.
 */
function localDataError(entries: readonly string[]): { index: number; reason: string } | null {
  const kinds = new Map<string, 'cname' | 'other'>();
  for (const [index, text] of entries.entries()) {
    const parsed = parseRecordText(text);
    if (!parsed.ok) return { index, reason: parsed.reason };
    const name = canonical(parsed.rr.name);
    const kind = parsed.rr.type === 'CNAME' ? 'cname' : 'other';
    const before = kinds.get(name);
    if (before === 'cname' || (before === 'other' && kind === 'cname')) {
      return { index, reason: `${name} has a CNAME and other data; a CNAME must be alone at its name (RFC 1034 §3.6.2)` };
    }
    kinds.set(name, kind);
  }
  return null;
}

/** Reads a config file into the settings it names. Throws RootlineError naming file, line and key. */
export async function loadConfigFile(path: string): Promise<Partial<Config>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new RootlineError(ErrorCode.CONFIG_FILE, `cannot read config file ${path}: ${(e as Error).message}`);
  }
  return parseConfig(text, path);
}

export function parseConfig(text: string, path: string): Partial<Config> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const lineOf = (node: { range?: [number, number, number] | null } | null | undefined): number =>
    node?.range ? lines.linePos(node.range[0]).line : 1;
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new RootlineError(ErrorCode.CONFIG_FILE, `${path} line ${e.linePos?.[0]?.line ?? 1}: not valid YAML: ${e.message.split('\n')[0]}`);
  }
  if (doc.contents === null) return {};
  if (!isMap(doc.contents)) throw new RootlineError(ErrorCode.CONFIG_FILE, `${path} line ${lineOf(doc.contents)}: expected 'key: value' settings`);
  const out: Partial<Record<keyof Config, unknown>> = {};
  const configuredZoneKeys = new Map<string, string>();
  let metricsLine = 0;
  for (const pair of doc.contents.items) {
    const keyNode = pair.key as Node;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const line = lineOf(keyNode as never);
    const spec: KeySpec | undefined = CONFIG_KEYS.find((k) => k.key === key);
    if (!spec) throw new RootlineError(ErrorCode.CONFIG_KEY, `${path} line ${line}: unknown key '${key}'${suggestion(key)}`);
    const value = convert(spec.check, pair.value as Node | null);
    if (value === undefined) {
      const shown = isScalar(pair.value) ? `'${String(pair.value.value)}'` : 'a list or map';
      throw new RootlineError(ErrorCode.CONFIG_VALUE, `${path} line ${line}: '${key}' must be ${describe(spec.check)}, got ${shown}`);
    }
    // A list entry's own line (the key's line when the value is a single string).
    const entryLine = (i: number): number => (isSeq(pair.value) ? lineOf(pair.value.items[i] as Node) : lineOf(pair.value as Node));
    // Structured values: their checks point at the entry (or field) that is wrong.
    const atNode = <T>(check: () => T): T => {
      try {
        return check();
      } catch (e) {
        if (!(e instanceof ConfigNodeError)) throw e;
        throw new RootlineError(ErrorCode.CONFIG_VALUE, `${path} line ${lineOf(e.node ?? keyNode)}: ${e.message}`);
      }
    };
    if (spec.check.kind === 'local-zones') {
      out[spec.field] = atNode(() => parseLocalZones(key, pair.value as Node | null));
      continue;
    }
    if (spec.check.kind === 'zones') {
      const entries = atNode(() => parseZoneEntries(key, pair.value as Node | null));
      for (const [i, entry] of entries.entries()) {
        const other = configuredZoneKeys.get(entry.name);
        if (other) throw new RootlineError(ErrorCode.CONFIG_VALUE, `${path} line ${entryLine(i)}: '${key}' ${entry.name} is already in '${other}'; a zone is either forwarded or stubbed`);
        configuredZoneKeys.set(entry.name, key);
      }
      // tls-ca, like every path, is taken from the config file's folder.
      out[spec.field] = entries.map((e) => (e.tls?.ca ? { ...e, tls: { ...e.tls, ca: resolve(dirname(path), e.tls.ca) } } : e));
      continue;
    }
    if (spec.field === 'privateAddresses') {
      for (const [i, text] of (value as string[]).entries()) {
        const parsed = text === 'default' ? null : parseCidr(text);
        if (parsed && !parsed.ok) throw new RootlineError(ErrorCode.CONFIG_VALUE, `${path} line ${entryLine(i)}: ${badNetworkMessage(key, text, parsed.reason)}`);
      }
    }
    if (spec.field === 'allow' || spec.field === 'deny' || spec.field === 'ratelimitExempt' || spec.field === 'debugClients' || spec.field === 'proxyProtocolFrom' || spec.field === 'trustedProxies') {
      for (const [i, text] of (value as string[]).entries()) {
        const parsed = parseCidr(text);
        if (!parsed.ok) throw new RootlineError(ErrorCode.CONFIG_VALUE, `${path} line ${entryLine(i)}: ${badNetworkMessage(key, text, parsed.reason)}`);
      }
    }
    if (spec.field === 'metricsListen') metricsLine = line;
    if (spec.field === 'localData') {
      const bad = localDataError(value as string[]);
      if (bad) {
        const text = (value as string[])[bad.index]!;
        throw new RootlineError(ErrorCode.CONFIG_VALUE, `${path} line ${entryLine(bad.index)}: '${key}' entry '${text}': ${bad.reason}`);
      }
    }
    const fromHere = (p: string): string => (p === '' ? '' : resolve(dirname(path), p));
    out[spec.field] = !spec.paths ? value : Array.isArray(value) ? (value as string[]).map(fromHere) : fromHere(value as string);
  }
  // After every key: metrics-allow-remote may come after metrics-listen.
  const metricsError = out.metricsListen ? metricsListenError(out.metricsListen as string, out.metricsAllowRemote === true) : null;
  if (metricsError) throw new RootlineError(ErrorCode.CONFIG_VALUE, `${path} line ${metricsLine}: ${metricsError}`);
  const webError = out.webListen ? webListenError(out.webListen as string, (out.webPassword as string | undefined) ?? '', (out.webToken as string | undefined) ?? '') : null;
  if (webError) throw new RootlineError(ErrorCode.CONFIG_VALUE, `${path}: ${webError}`);
  return out as Partial<Config>;
}

/** Flags override the file, the file overrides the defaults. */
export function mergeConfig(defaults: Config, file: Partial<Config>, cli: Partial<Config>): Config {
  return { ...defaults, ...file, ...cli };
}
