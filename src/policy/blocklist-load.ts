// Reading blocklist files into the two domain sets the blocklist stage matches against: blocked names and the
// allowlist (config `allowlist:` entries and `@@||name^` exceptions found in the lists). A malformed line is
// skipped and counted; the file still loads. A file that cannot be read is an error naming it.
import { open } from 'node:fs/promises';
import { ErrorCode, RootlineError } from '../errors.js';
import { DomainSetBuilder, type DomainSet } from './domain-set.js';
import { listDomain, parseListLine } from './list-line.js';

export interface ListStats {
  path: string;
  /** Names this list blocks (before duplicates across lists are merged). */
  rules: number;
  /** Lines that were not rules, comments or blank: skipped. */
  bad: number;
  firstBad?: { line: number; reason: string };
}

export interface Blocklists {
  blocked: DomainSet;
  allowed: DomainSet;
  /** Source index → where the rule came from (list paths, then the config's allowlist). */
  sources: readonly string[];
  stats: readonly ListStats[];
}

export const CONFIG_ALLOWLIST = 'allowlist (config)';

const CHUNK_BYTES = 1 << 20;

export async function loadBlocklists(paths: readonly string[], allowlist: readonly string[]): Promise<Blocklists> {
  const blocked = new DomainSetBuilder();
  const allowed = new DomainSetBuilder();
  const sources = [...paths, CONFIG_ALLOWLIST];
  const stats: ListStats[] = [];
  for (const [source, path] of paths.entries()) {
    try {
      stats.push(await addList(path, source, blocked, allowed));
    } catch (e) {
      throw new RootlineError(ErrorCode.BLOCKLIST, `cannot read blocklist ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  allowlist.forEach((entry, i) => {
    const name = listDomain(entry);
    if (name === null) throw new RootlineError(ErrorCode.CONFIG_VALUE, `allowlist: '${entry}' is not a domain name`);
    allowed.add(name, paths.length, i + 1);
  });
  return { blocked: blocked.build(), allowed: allowed.build(), sources, stats };
}

/** Read in chunks, so a list of a million lines never sits in memory as one string. */
async function addList(path: string, source: number, blocked: DomainSetBuilder, allowed: DomainSetBuilder): Promise<ListStats> {
  const stats: ListStats = { path, rules: 0, bad: 0 };
  let lineNo = 0;
  const take = (raw: string): void => {
    lineNo++;
    const parsed = parseListLine(raw);
    switch (parsed.kind) {
      case 'block':
        for (const name of parsed.names) blocked.add(name, source, lineNo);
        stats.rules += parsed.names.length;
        break;
      case 'allow':
        for (const name of parsed.names) allowed.add(name, source, lineNo);
        break;
      case 'skip':
        break;
      case 'bad':
        stats.bad++;
        stats.firstBad ??= { line: lineNo, reason: parsed.reason };
        break;
      default: {
        const never: never = parsed;
        throw new Error(`unhandled list line ${String(never)}`);
      }
    }
  };
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  const file = await open(path, 'r');
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await file.read(chunk, 0, CHUNK_BYTES, null);
      const text = rest + decoder.decode(chunk.subarray(0, bytesRead), { stream: bytesRead > 0 });
      let start = 0;
      for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
        take(text.slice(start, end));
        start = end + 1;
      }
      rest = text.slice(start);
      if (bytesRead === 0) break;
    }
  } finally {
    await file.close();
  }
  if (rest !== '') take(rest);
  return stats;
}
