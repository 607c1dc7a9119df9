// Building the local data from the config at start-up: local-data first, then hosts files; what is fatal and
// what is skipped and logged.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { loadLocalData } from '../../src/policy/local-data-load.js';

function capture(): { logger: pino.Logger; events: Record<string, unknown>[] } {
  const events: Record<string, unknown>[] = [];
  const sink = new Writable({ write: (c: Buffer, _e, done) => (events.push(JSON.parse(String(c)) as Record<string, unknown>), done()) });
  return { logger: pino({ level: 'info' }, sink), events };
}
function hostsFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'rootline-hosts-')), 'hosts');
  writeFileSync(file, text);
  return file;
}
const codeOf = async (p: Promise<unknown>): Promise<string> => p.then(() => 'none', (e: { code: string }) => e.code);

describe('loading local data at start-up', () => {
  it('lets local-data win: a hosts name at a local CNAME is skipped and logged, a generated PTR gives way', async () => {
    const { logger, events } = capture();
    const file = hostsFile('192.168.1.10 www.lan nas.lan\n192.168.1.11 tv.lan\n');
    const data = await loadLocalData({ localData: ['www.lan CNAME nas.lan', '10.1.168.192.in-addr.arpa PTR nas.lan'], hostsFiles: [file] }, logger);
    expect(data.answer({ name: 'www.lan', type: 'A', class: 'IN' })!.answer.map((r) => `${r.type} ${String(r.data)}`)).toEqual(['CNAME nas.lan', 'A 192.168.1.10']);
    expect(data.answer({ name: '10.1.168.192.in-addr.arpa', type: 'PTR', class: 'IN' })!.answer.map((r) => r.data)).toEqual(['nas.lan']);
    expect(data.answer({ name: '11.1.168.192.in-addr.arpa', type: 'PTR', class: 'IN' })!.answer.map((r) => r.data)).toEqual(['tv.lan']);
    expect(events.filter((e) => e.event === 'hosts_name_skipped')).toMatchObject([{ file, name: 'www.lan' }]);
    expect(events.find((e) => e.event === 'hosts_file_loaded')).toMatchObject({ file, entries: 2, skipped: 0, refused: 1 });
  });

  it('logs each malformed hosts line once, with file and line, unless told to be quiet', async () => {
    const file = hostsFile('bogus\n10.0.0.1 ok.lan\n10.0.0.2 bad_name!\n');
    const loud = capture();
    const data = await loadLocalData({ localData: [], hostsFiles: [file] }, loud.logger);
    expect(data.nameCount).toBe(2); // ok.lan and its PTR
    expect(loud.events.filter((e) => e.event === 'hosts_line_skipped').map((e) => [e.file, e.line])).toEqual([[file, 1], [file, 3]]);
    const quiet = capture();
    await loadLocalData({ localData: [], hostsFiles: [file] }, quiet.logger, true);
    expect(quiet.events).toEqual([]);
  });

  it('fails on an unreadable hosts file and on a bad local-data entry given in code', async () => {
    const { logger } = capture();
    expect(await codeOf(loadLocalData({ localData: [], hostsFiles: ['/nonexistent/rootline/hosts'] }, logger))).toBe(ErrorCode.HOSTS_FILE);
    expect(await codeOf(loadLocalData({ localData: ['nas.lan A nope'], hostsFiles: [] }, logger))).toBe(ErrorCode.CONFIG_VALUE);
    expect(await codeOf(loadLocalData({ localData: ['a.lan A 10.0.0.1', 'a.lan CNAME b.lan'], hostsFiles: [] }, logger))).toBe(ErrorCode.CONFIG_VALUE);
  });
});
