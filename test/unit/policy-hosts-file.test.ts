// /etc/hosts syntax: entries, comments, skipped lines with their line numbers, and the generated PTRs.
import { describe, expect, it } from 'vitest';
import { hostsRecords, parseHosts, reverseName } from '../../src/policy/hosts-file.js';

const FILE = [
  '# the home network',
  '127.0.0.1   localhost',
  '192.168.1.10 nas.lan nas   # the file server',
  '',
  '   ',
  'fd00::5\tprinter.lan printer',
  'not-an-address foo.lan',
  '192.168.1.11',
  '192.168.1.12 bad..name',
  'fe80::1%lo0 scoped.lan',
  '192.168.1.10 storage.lan',
  '::ffff:192.0.2.1 mapped.lan',
].join('\n');

describe('hosts files', () => {
  const parsed = parseHosts(FILE);

  it('reads ADDR name [name...] lines, IPv4 and IPv6, past comments and blank lines', () => {
    expect(parsed.entries).toEqual([
      { address: '127.0.0.1', family: 4, names: ['localhost'], line: 2 },
      { address: '192.168.1.10', family: 4, names: ['nas.lan', 'nas'], line: 3 },
      { address: 'fd00::5', family: 6, names: ['printer.lan', 'printer'], line: 6 },
      { address: '192.168.1.10', family: 4, names: ['storage.lan'], line: 11 },
      { address: '::ffff:192.0.2.1', family: 6, names: ['mapped.lan'], line: 12 },
    ]);
  });

  it('skips a malformed line, naming its line and why, and goes on', () => {
    expect(parsed.skipped.map((s) => [s.line, s.text])).toEqual([
      [7, 'not-an-address foo.lan'],
      [8, '192.168.1.11'],
      [9, '192.168.1.12 bad..name'],
      [10, 'fe80::1%lo0 scoped.lan'],
    ]);
    expect(parsed.skipped.map((s) => s.reason)).toEqual([
      "'not-an-address' is not an IPv4 or IPv6 address",
      'no name for 192.168.1.11',
      "the name 'bad..name' has an empty label",
      "'fe80::1%lo0' has a zone index, which DNS cannot carry",
    ]);
    expect(parseHosts('1.2.3.4 a\r\n5.6.7.8 b\r\n').entries.map((e) => e.line)).toEqual([1, 2]);
  });

  it('names reverse lookups: in-addr.arpa, and ip6.arpa in 32 nibbles lowest first', () => {
    expect(reverseName('192.168.1.10')).toBe('10.1.168.192.in-addr.arpa');
    expect(reverseName('fd00::5')).toBe('5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa');
    expect(reverseName('2001:db8::567:89ab')).toBe('b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
    expect(reverseName('::1')).toBe(`1.${'0.'.repeat(31)}ip6.arpa`);
    expect(reverseName('::ffff:192.0.2.1')).toBe('1.0.2.0.0.0.0.c.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa');
  });

  it('makes an A or AAAA per name and one PTR per address, to the first name of the first line', () => {
    const { forward, reverse } = hostsRecords(parsed.entries);
    expect(forward.map((r) => `${r.name} ${r.type} ${String(r.data)}`)).toEqual([
      'localhost A 127.0.0.1',
      'nas.lan A 192.168.1.10',
      'nas A 192.168.1.10',
      'printer.lan AAAA fd00::5',
      'printer AAAA fd00::5',
      'storage.lan A 192.168.1.10',
      'mapped.lan AAAA ::ffff:192.0.2.1',
    ]);
    expect(reverse.map((r) => `${r.name} ${r.type} ${String(r.data)}`)).toEqual([
      '1.0.0.127.in-addr.arpa PTR localhost',
      '10.1.168.192.in-addr.arpa PTR nas.lan',
      `${reverseName('fd00::5')} PTR printer.lan`,
      `${reverseName('::ffff:192.0.2.1')} PTR mapped.lan`,
    ]);
    expect(forward.every((r) => r.ttl === 3600 && r.class === 'IN')).toBe(true);
  });
});
