// Reading the config's local names: `local-data` records, then each hosts file in turn. Errors name the entry or
// the file; a malformed hosts line is skipped and logged, and the rest of the file still loads.
import { readFile } from 'node:fs/promises';
import type { Config } from '../config/schema.js';
import { ErrorCode, RootlineError } from '../errors.js';
import type { Logger } from '../log.js';
import { parseRecordText } from '../wire/record-text.js';
import { hostsRecords, parseHosts } from './hosts-file.js';
import { LocalData } from './local-data.js';

/**
 * The local data of the config: `local-data` records, then each hosts file in turn (its names, then a PTR per
 * address unless local data already has one). A bad local-data entry or an unreadable hosts file is fatal; a
 * malformed hosts line is skipped and logged with its file and line, and the file still loads. `quiet`: leave
 * the per-line warnings to whoever loaded the same data first (a cluster's primary).
 */
export async function loadLocalData(config: Pick<Config, 'localData' | 'hostsFiles'>, logger: Logger, quiet = false): Promise<LocalData> {
  const data = new LocalData();
  for (const [i, text] of config.localData.entries()) {
    // The config loader has checked file entries already, with their lines; this catches configs built in code.
    const parsed = parseRecordText(text);
    const added = parsed.ok ? data.add(parsed.rr) : parsed;
    if (!added.ok) throw new RootlineError(ErrorCode.CONFIG_VALUE, `'local-data' entry ${i + 1} '${text}': ${added.reason}`);
  }
  for (const file of config.hostsFiles) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new RootlineError(ErrorCode.HOSTS_FILE, `cannot read hosts file ${file}: ${(e as Error).message}`);
    }
    const { entries, skipped } = parseHosts(text);
    const { forward, reverse } = hostsRecords(entries);
    let refused = 0;
    for (const rr of forward) {
      const added = data.add(rr);
      if (added.ok) continue;
      refused++;
      if (!quiet) logger.warn({ event: 'hosts_name_skipped', file, name: rr.name, reason: added.reason }, 'hosts_name_skipped');
    }
    for (const rr of reverse) data.addIfAbsent(rr);
    if (quiet) continue;
    for (const s of skipped) logger.warn({ event: 'hosts_line_skipped', file, line: s.line, text: s.text, reason: s.reason }, 'hosts_line_skipped');
    logger.info({ event: 'hosts_file_loaded', file, entries: entries.length, skipped: skipped.length, refused }, 'hosts_file_loaded');
  }
  return data;
}
