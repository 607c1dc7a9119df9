// Root hints (RFC 1034 §5.3.2 SBELT): the named.root file parsed into the root NS names and their addresses.
import { readFile } from 'node:fs/promises';
import { ErrorCode, RootlineError } from '../errors.js';
import { canonical } from '../wire/names.js';

export interface RootHints {
  /** Root server names, canonical. */
  nsNames: string[];
  /** Addresses per server name (A and AAAA). */
  addresses: Map<string, string[]>;
}

/** Parses named.root text: `NAME [TTL] [IN] TYPE RDATA` lines, `;` comments. Throws ROOT_HINTS on bad input. */
export function parseRootHints(text: string, source = 'root hints'): RootHints {
  const nsNames: string[] = [];
  const addresses = new Map<string, string[]>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/;.*/, '').trim();
    if (line === '') return;
    const fields = line.split(/\s+/);
    const name = fields[0]!;
    const rest = fields.slice(1).filter((f) => !/^\d+$/.test(f) && f.toUpperCase() !== 'IN');
    const type = rest[0]?.toUpperCase();
    const value = rest[1];
    if (!type || !value) {
      throw new RootlineError(ErrorCode.ROOT_HINTS, `${source} line ${index + 1}: expected NAME [TTL] [IN] TYPE DATA, got '${raw.trim()}'`);
    }
    if (type === 'NS') {
      if (canonical(name) !== '.') return; // only the root's NS set matters here
      const ns = canonical(value);
      if (!nsNames.includes(ns)) nsNames.push(ns);
    } else if (type === 'A' || type === 'AAAA') {
      const list = addresses.get(canonical(name)) ?? [];
      list.push(value);
      addresses.set(canonical(name), list);
    }
  });
  if (nsNames.length === 0) throw new RootlineError(ErrorCode.ROOT_HINTS, `${source}: no NS records for the root zone '.'`);
  if (!nsNames.some((n) => (addresses.get(n) ?? []).length > 0)) {
    throw new RootlineError(ErrorCode.ROOT_HINTS, `${source}: no root server has an A or AAAA address`);
  }
  return { nsNames, addresses };
}

export async function loadRootHints(path: string): Promise<RootHints> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new RootlineError(ErrorCode.ROOT_HINTS, `cannot read root hints file ${path}: ${(e as Error).message}`);
  }
  return parseRootHints(text, path);
}
