import { describe, expect, it } from 'vitest';
import { listDomain, parseListLine } from '../../../src/policy/list-line.js';

describe('parseListLine', () => {
  it('reads hosts lines with several names, skipping the names hosts files map to themselves', () => {
    expect(parseListLine('0.0.0.0 ads.example.com  tracker.example.net # trailing comment')).toEqual({ kind: 'block', names: ['ads.example.com', 'tracker.example.net'] });
    expect(parseListLine('127.0.0.1 localhost')).toEqual({ kind: 'skip' });
    expect(parseListLine(':: Ads.Example.COM.')).toEqual({ kind: 'block', names: ['ads.example.com'] });
  });

  it('reads plain domains, *. wildcards and adblock rules with DNS-only modifiers', () => {
    expect(parseListLine('doubleclick.net')).toEqual({ kind: 'block', names: ['doubleclick.net'] });
    expect(parseListLine('*.metrics.example')).toEqual({ kind: 'block', names: ['metrics.example'] });
    expect(parseListLine('||ads.example.org^')).toEqual({ kind: 'block', names: ['ads.example.org'] });
    expect(parseListLine('||ads.example.org^$important')).toEqual({ kind: 'block', names: ['ads.example.org'] });
    expect(parseListLine('@@||good.example.org^')).toEqual({ kind: 'allow', names: ['good.example.org'] });
  });

  it('skips comments, headers and blank lines', () => {
    for (const line of ['', '   ', '# a comment', '! adblock comment', '[Adblock Plus 2.0]']) expect(parseListLine(line)).toEqual({ kind: 'skip' });
  });

  it('says why a line is not a rule', () => {
    expect(parseListLine('||ads.example.org^$third-party')).toMatchObject({ kind: 'bad', reason: expect.stringMatching(/modifier/) });
    expect(parseListLine('||ads.example.org/path')).toMatchObject({ kind: 'bad' });
    expect(parseListLine('two names')).toMatchObject({ kind: 'bad' });
    expect(parseListLine('bad..name')).toMatchObject({ kind: 'bad' });
    expect(parseListLine(`${'a'.repeat(64)}.com`)).toMatchObject({ kind: 'bad' });
  });

  it('turns IDNs into A-labels', () => {
    expect(listDomain('bücher.example')).toBe('xn--bcher-kva.example');
    expect(parseListLine('0.0.0.0 münchen.example')).toEqual({ kind: 'block', names: ['xn--mnchen-3ya.example'] });
  });
});
