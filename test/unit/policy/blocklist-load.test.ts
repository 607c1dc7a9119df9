// Loading list files from bytes gives what reading them as text line by line with parseListLine gives: the same
// names with the same origins, the same counts, the same first bad line, whatever the chunk boundaries.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addList, loadBlocklists, type ListStats } from '../../../src/policy/blocklist-load.js';
import { DomainSetBuilder, type DomainSet } from '../../../src/policy/domain-set.js';
import { parseListLine } from '../../../src/policy/list-line.js';

function listFile(content: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'rootline-bll-')), 'list.txt');
  writeFileSync(path, content);
  return path;
}

interface Reference {
  blocked: DomainSet;
  allowed: DomainSet;
  stats: ListStats;
  names: string[];
}

/** The file read the simple way: decoded whole, split on '\n', every line through parseListLine. */
function reference(path: string): Reference {
  const lines = new TextDecoder('utf-8').decode(readFileSync(path)).split('\n');
  if (lines.at(-1) === '') lines.pop();
  const blocked = new DomainSetBuilder();
  const allowed = new DomainSetBuilder();
  const stats: ListStats = { path, rules: 0, bad: 0 };
  const names: string[] = [];
  lines.forEach((raw, i) => {
    const parsed = parseListLine(raw);
    if (parsed.kind === 'block' || parsed.kind === 'allow') {
      for (const name of parsed.names) (parsed.kind === 'block' ? blocked : allowed).add(name, 0, i + 1);
      if (parsed.kind === 'block') stats.rules += parsed.names.length;
      names.push(...parsed.names);
    } else if (parsed.kind === 'bad') {
      stats.bad++;
      stats.firstBad ??= { line: i + 1, reason: parsed.reason };
    }
  });
  return { blocked: blocked.build(), allowed: allowed.build(), stats, names };
}

function expectSame(got: { blocked: DomainSet; allowed: DomainSet; stats: ListStats }, want: Reference): void {
  expect(got.stats).toEqual(want.stats);
  expect(got.blocked.size).toBe(want.blocked.size);
  expect(got.allowed.size).toBe(want.allowed.size);
  for (const name of [...want.names, 'nothing.example', 'com', 'example']) {
    for (const asked of [name, `www.${name}`, `a.b.${name}`]) {
      expect(got.blocked.match(asked), asked).toEqual(want.blocked.match(asked));
      expect(got.allowed.match(asked), asked).toEqual(want.allowed.match(asked));
    }
  }
}

async function viaBytes(path: string, chunkBytes: number): Promise<{ blocked: DomainSet; allowed: DomainSet; stats: ListStats }> {
  const blocked = new DomainSetBuilder(16);
  const allowed = new DomainSetBuilder(16);
  const stats = await addList(path, 0, blocked, allowed, chunkBytes);
  return { blocked: blocked.build(), allowed: allowed.build(), stats };
}

const TRICKY = [
  '# Title: a list of every shape',
  '0.0.0.0 ads.example.com',
  '127.0.0.1\ttracker.example.net   other.example.net # comment',
  '0.0.0.0 Ads.Upper.COM.',
  '0.0.0.0 www.ads.example.com',
  '127.0.0.1 localhost',
  ':: v6.example',
  '192.168.0.1 router.example',
  'plain.example',
  'Plain-Upper.EXAMPLE.',
  '*.wild.example',
  '||adblock.example^',
  '||modifier.example^$important',
  '||third.example^$third-party',
  '@@||allowed.adblock.example^',
  '@@||bücher.example^',
  '0.0.0.0 münchen.example',
  'xn--bcher-kva.example',
  '! adblock comment',
  '[Adblock Plus 2.0]',
  '',
  '   ',
  'two names here',
  'bad..name',
  '0.0.0.0 ok.example bad..name',
  '\u00a0nbsp.example\u00a0',
  'ads.example.com',
  `0.0.0.0 ${'a'.repeat(63)}.example`,
];

describe('addList', () => {
  it('reads every shape as the string parser does, with LF or CRLF endings, whatever the chunk size', async () => {
    for (const eol of ['\n', '\r\n']) {
      for (const tail of [eol, '']) {
        const path = listFile(TRICKY.join(eol) + tail);
        const want = reference(path);
        expect(want.stats.bad).toBeGreaterThan(0);
        for (const chunk of [7, 16, 64, 1 << 20]) expectSame(await viaBytes(path, chunk), want);
      }
    }
  });

  it('drops a BOM at the start of the file only, and reads lines longer than a chunk', async () => {
    const long = `# ${'x'.repeat(5000)}`;
    const path = listFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(['bom.example', long, 'after.long.example', `0.0.0.0 ${'n.'.repeat(40)}example`, '\ufeffmid.example'].join('\n'))]));
    const want = reference(path);
    expect(want.names).toContain('bom.example');
    for (const chunk of [5, 100, 1 << 20]) expectSame(await viaBytes(path, chunk), want);
  });

  it('handles bytes that are not UTF-8 as the decoder does', async () => {
    const path = listFile(Buffer.concat([Buffer.from('ok.example\n0.0.0.0 bad'), Buffer.from([0xff, 0xe2, 0x82]), Buffer.from('.example\nlast.example\n'), Buffer.from([0xe2, 0x82])]));
    const want = reference(path);
    expect(want.stats.bad).toBe(2);
    for (const chunk of [3, 1 << 20]) expectSame(await viaBytes(path, chunk), want);
  });

  it('loads a list of many generated lines as the string parser does, through loadBlocklists', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) lines.push(TRICKY[i % TRICKY.length]!.replace('example', `example${i % 977}`));
    const path = listFile(lines.join('\r\n'));
    const want = reference(path);
    const got = await loadBlocklists([path], []);
    expectSame({ blocked: got.blocked, allowed: got.allowed, stats: got.stats[0]! }, want);
  });
});
