// Reading blocklist files into the two domain sets the blocklist stage matches against: blocked names and the
// allowlist (config `allowlist:` entries and `@@||name^` exceptions found in the lists). A malformed line is
// skipped and counted; the file still loads. A file that cannot be read is an error naming it.
import { open, stat } from 'node:fs/promises';
import { ErrorCode, RootlineError } from '../errors.js';
import { DomainSetBuilder, type DomainSet } from './domain-set.js';
import { ByteListLine, listDomain, parseListLine } from './list-line.js';

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
/** Room for names made at once, whatever the lists' size (past it the builder grows as it fills). */
const MAX_PRESIZE = 1 << 28;

export async function loadBlocklists(paths: readonly string[], allowlist: readonly string[]): Promise<Blocklists> {
  // The names in the lists take at most the lists' bytes (an IDN's A-label can be longer: the builder grows).
  let listBytes = 0;
  for (const path of paths) listBytes += await stat(path).then((s) => s.size, () => 0);
  const blocked = new DomainSetBuilder(Math.min(listBytes, MAX_PRESIZE));
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

/**
 * Read in chunks, so a list of a million lines never sits in memory whole, and parse each line from its bytes
 * (ByteListLine) so the common ones make no string at all; the rest are decoded and given to parseListLine.
 */
export async function addList(path: string, source: number, blocked: DomainSetBuilder, allowed: DomainSetBuilder, chunkBytes = CHUNK_BYTES): Promise<ListStats> {
  const stats: ListStats = { path, rules: 0, bad: 0 };
  const fast = new ByteListLine();
  // Decoded one line at a time, as the whole file would be: a BOM is dropped at the start of the file only.
  const firstLine = new TextDecoder('utf-8');
  const otherLines = new TextDecoder('utf-8', { ignoreBOM: true });
  let lineNo = 0;
  const take = (b: Buffer, start: number, end: number): void => {
    lineNo++;
    const kind = fast.read(b, start, end);
    if (kind === 'block') {
      for (let i = 0; i < fast.count; i++) blocked.addBytes(b, fast.from[i]!, fast.to[i]!, source, lineNo);
      stats.rules += fast.count;
      return;
    }
    if (kind === 'allow') {
      allowed.addBytes(b, fast.from[0]!, fast.to[0]!, source, lineNo);
      return;
    }
    if (kind === 'skip') return;
    const parsed = parseListLine((lineNo === 1 ? firstLine : otherLines).decode(b.subarray(start, end)));
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
  const file = await open(path, 'r');
  try {
    let chunk = Buffer.allocUnsafe(chunkBytes);
    let filled = 0; // bytes in chunk: the start of a line the last read ended in, then what this read brought
    for (;;) {
      if (filled === chunk.length) {
        // One line longer than the chunk: make room for the rest of it.
        const bigger = Buffer.allocUnsafe(chunk.length * 2);
        chunk.copy(bigger, 0, 0, filled);
        chunk = bigger;
      }
      const { bytesRead } = await file.read(chunk, filled, chunk.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
      const view = chunk.subarray(0, filled);
      let start = 0;
      for (let end = view.indexOf(0x0a); end >= 0; end = view.indexOf(0x0a, start)) {
        take(chunk, start, end);
        start = end + 1;
      }
      chunk.copyWithin(0, start, filled);
      filled -= start;
    }
    if (filled > 0) take(chunk, 0, filled);
  } finally {
    await file.close();
  }
  return stats;
}
