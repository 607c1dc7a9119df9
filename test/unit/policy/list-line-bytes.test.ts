// The byte reader (ByteListLine) against the string parser: on every line it answers, it must say what
// parseListLine says; on the shapes lists are made of it must answer (not hand the line to the string parser).
import { describe, expect, it } from 'vitest';
import { ByteListLine, parseListLine, type ListLine } from '../../../src/policy/list-line.js';

const reader = new ByteListLine();

/** What the byte reader says of `line`, read from the middle of a larger buffer; null when it is unsure. */
function viaBytes(line: string): ListLine | null {
  const bytes = Buffer.from(`x.example\n${line}\nzz`, 'utf8');
  const start = 10;
  const end = bytes.length - 3;
  const kind = reader.read(bytes, start, end);
  if (kind === 'unsure') return null;
  if (kind === 'skip') return { kind };
  const names: string[] = [];
  for (let i = 0; i < reader.count; i++) names.push(bytes.toString('latin1', reader.from[i], reader.to[i]).toLowerCase());
  return { kind, names };
}

function agrees(line: string): ListLine | null {
  const fast = viaBytes(line);
  if (fast !== null) expect(fast, JSON.stringify(line)).toEqual(parseListLine(line));
  return fast;
}

const COMMON = [
  '0.0.0.0 ads.example.com',
  '127.0.0.1 tracker.example.net',
  '0.0.0.0 Ads.Example.COM',
  '0.0.0.0 ads.example.com.',
  '0.0.0.0 www.ads.example.com',
  '0.0.0.0\tads.example.com',
  '0.0.0.0 ads.example.com\r',
  '0.0.0.0 ads.example.com # trailing comment',
  '0.0.0.0 ads.example.com#glued comment',
  '  0.0.0.0   a.example   b.example  c.example ',
  '0.0.0.0 a_b.example x-y.example 1.2.3.4',
  '127.0.0.1 localhost',
  '127.0.0.1 localhost.localdomain',
  '0.0.0.0 0.0.0.0',
  '0.0.0.0 LOCALHOST ads.example',
  '0.0.0.0 broadcasthost ip6-localhost ip6-loopback',
  '0.0.0.0',
  '0.0.0.0 *.metrics.example',
  'doubleclick.net',
  'www.doubleclick.net',
  'DoubleClick.NET.',
  '*.metrics.example',
  'metrics.example\r',
  '\tmetrics.example\t',
  'metrics.example # why',
  'localhost',
  '||ads.example.org^',
  '||Ads.Example.ORG^\r',
  '||www.ads.example.org^',
  '||*.ads.example.org^',
  '||ads.example.org.^',
  '@@||good.example.org^',
  '@@||GOOD.example.org^ ',
  '',
  '   ',
  '\r',
  '# a comment',
  '#0.0.0.0 ads.example',
  '! adblock comment',
  '[Adblock Plus 2.0]',
  `${'a'.repeat(63)}.com`,
  `0.0.0.0 ${'b'.repeat(63)}.${'b'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(61)}`,
  `${'a.'.repeat(126)}b`,
];

// Lines the byte reader leaves to the string parser: bad lines (whose reason it gives), IDNs, other addresses.
const OTHER = [
  '||ads.example.org^$important',
  '||ads.example.org^$third-party',
  '||ads.example.org^|',
  '||ads.example.org/path',
  '||ads^example.org^',
  '||^',
  '@@||^',
  '@@|ads.example',
  '||',
  '|ads.example^',
  'two names',
  'bad..name',
  '.leading.dot',
  'trailing.dot..',
  '-dash.example',
  'dash-.example',
  'a.-b.example',
  '*.',
  '*',
  '.',
  '*.*.example',
  'star*.example',
  'ads.example/path',
  'ads.example:443',
  '0.0.0.0 bad..name ok.example',
  '0.0.0.0 ok.example bad_name!',
  `${'a'.repeat(64)}.com`,
  `${'a.'.repeat(126)}bc`,
  `0.0.0.0 ${Array.from({ length: 4 }, () => 'b'.repeat(63)).join('.')}`,
  `${'a.'.repeat(127)}`,
  ':: ads.example.com',
  '::1 ads.example.com',
  '::ffff:0.0.0.0 ads.example.com',
  'fe80::1%eth0 ads.example',
  '192.168.1.1 router.example',
  '0.0.0.0.0 ads.example',
  '00.0.0.0 ads.example',
  '1.2.3.4',
  '1.2.3',
  '123',
  '0.0.0.0 münchen.example',
  'bücher.example',
  '||bücher.example^',
  '@@||bücher.example^',
  '\u00a0ads.example',
  'ads.example\u00a0',
  'ads.example\u2028',
  '\ufeffads.example',
  '\ufeff# comment',
  'ads\u00a0example',
  'ads.example\u0000',
  '\u000bads.example\u000c',
  'ads.example\u0085',
  `0.0.0.0 ${Array.from({ length: 70 }, (_, i) => `n${i}.example`).join(' ')}`,
];

/** A fixed sequence of pseudo-random numbers: the same lines on every run. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PIECES = [
  '0.0.0.0', '127.0.0.1', '::', '1.2.3.4', 'ads', 'Ads', 'EXAMPLE', 'com', 'a-b', '-', '_', '.', '..', '*', '*.',
  ' ', '  ', '\t', '\r', '\v', '#', '!', '[', '^', '||', '@@', '|', '$important', '$', ',', 'localhost', 'www.',
  'ü', 'ö.', '\u00a0', '\u3000', '/', ':', '%', 'x'.repeat(63), 'y'.repeat(64), '0', '9', 'é', '\ufeff', '\u0000',
];

describe('ByteListLine', () => {
  it('answers every common shape, as parseListLine does', () => {
    for (const line of COMMON) expect(agrees(line), JSON.stringify(line)).not.toBeNull();
  });

  it('leaves IDNs, other addresses, modifiers and bad lines to the string parser, or agrees with it', () => {
    for (const line of OTHER) agrees(line);
    expect(viaBytes('0.0.0.0 münchen.example')).toBeNull();
    expect(viaBytes('||ads.example.org^$third-party')).toBeNull();
    expect(viaBytes('bad..name')).toBeNull();
  });

  it('agrees with parseListLine on 20,000 lines made of the pieces lists are made of', () => {
    const rand = prng(7);
    let answered = 0;
    for (let i = 0; i < 20_000; i++) {
      const parts: string[] = [];
      const n = 1 + Math.floor(rand() * 8);
      for (let k = 0; k < n; k++) parts.push(PIECES[Math.floor(rand() * PIECES.length)]!);
      if (agrees(parts.join('')) !== null) answered++;
    }
    expect(answered).toBeGreaterThan(1000);
  });

  it('agrees on the common shapes with their letters, dots and spaces changed', () => {
    const rand = prng(11);
    const alphabet = 'aZ0_-.*#^| \t\r';
    for (const base of COMMON) {
      for (let i = 0; i < 200; i++) {
        const chars = [...base];
        const at = Math.floor(rand() * (chars.length + 1));
        const c = alphabet[Math.floor(rand() * alphabet.length)]!;
        if (rand() < 0.5) chars.splice(at, 1, c);
        else chars.splice(at, 0, c);
        agrees(chars.join(''));
      }
    }
  });
});
