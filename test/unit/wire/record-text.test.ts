// Zone-file-style record text for local-data: every type, optional TTL and class, and what is refused.
import * as dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_TTL, parseRecordText } from '../../../src/wire/record-text.js';
import type { RR } from '../../../src/wire/types.js';

function rr(text: string): RR {
  const r = parseRecordText(text);
  if (!r.ok) throw new Error(`${text}: ${r.reason}`);
  return r.rr;
}
function reason(text: string): string {
  const r = parseRecordText(text);
  return r.ok ? 'parsed' : r.reason;
}

describe('local-data record text', () => {
  it('reads A with TTL and class, names absolute with or without the trailing dot', () => {
    expect(rr('nas.home.arpa. 300 IN A 192.168.1.10')).toEqual({ name: 'nas.home.arpa', type: 'A', class: 'IN', ttl: 300, data: '192.168.1.10' });
    expect(rr('nas.home.arpa A 192.168.1.10')).toEqual({ name: 'nas.home.arpa', type: 'A', class: 'IN', ttl: DEFAULT_LOCAL_TTL, data: '192.168.1.10' });
    expect(DEFAULT_LOCAL_TTL).toBe(3600);
    // TTL and class in either order (RFC 1035 §5.1), type and class in any letter case
    expect(rr('x.lan in 60 a 10.0.0.1')).toMatchObject({ ttl: 60, type: 'A' });
    expect(rr('x.lan IN A 10.0.0.1').ttl).toBe(3600);
  });

  it('reads AAAA, CNAME, PTR and NS', () => {
    expect(rr('printer.lan AAAA fd00::5')).toMatchObject({ name: 'printer.lan', type: 'AAAA', data: 'fd00::5' });
    expect(rr('www.lan CNAME nas.home.arpa.')).toMatchObject({ type: 'CNAME', data: 'nas.home.arpa' });
    expect(rr('10.1.168.192.in-addr.arpa. PTR nas.lan.')).toMatchObject({ name: '10.1.168.192.in-addr.arpa', type: 'PTR', data: 'nas.lan' });
    expect(rr('sub.lan. NS ns.lan.')).toMatchObject({ type: 'NS', data: 'ns.lan' });
  });

  it('reads TXT strings quoted or bare, with escapes, several per record', () => {
    expect(rr('lan. TXT "hello world"').data).toEqual([Buffer.from('hello world')]);
    expect(rr('lan. TXT "a \\"quoted\\" \\\\ word" bare ""').data).toEqual([Buffer.from('a "quoted" \\ word'), Buffer.from('bare'), Buffer.from('')]);
    expect(rr('lan. TXT "caf\\195\\169"').data).toEqual([Buffer.from('café')]);
    expect(rr('lan. TXT v=spf1 -all ; a comment').data).toEqual([Buffer.from('v=spf1'), Buffer.from('-all')]);
  });

  it('reads MX and SRV, the root as a target', () => {
    expect(rr('lan. MX 10 mail.lan.').data).toEqual({ preference: 10, exchange: 'mail.lan' });
    expect(rr('lan. MX 0 .').data).toEqual({ preference: 0, exchange: '.' });
    expect(rr('_http._tcp.lan. SRV 0 5 80 nas.lan.')).toMatchObject({ name: '_http._tcp.lan', data: { priority: 0, weight: 5, port: 80, target: 'nas.lan' } });
  });

  it('gives records dns-packet can encode', () => {
    const answers = ['a.lan A 10.0.0.1', 'a.lan AAAA fd00::1', 'b.lan CNAME a.lan', 'a.lan TXT "x y" z', 'a.lan MX 5 m.lan', '_s._udp.a.lan SRV 1 2 3 t.lan', 'p.arpa PTR a.lan', 's.lan NS n.lan'].map(rr);
    const bytes = dnsPacket.encode({ type: 'response', id: 1, answers: answers as dnsPacket.Answer[] });
    const back = dnsPacket.decode(bytes).answers!;
    expect(back.map((a) => a.type)).toEqual(['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV', 'PTR', 'NS']);
    expect((back[3] as { data: Buffer[] }).data.map(String)).toEqual(['x y', 'z']);
  });

  it('refuses what it cannot read, saying why', () => {
    expect(reason('')).toMatch(/empty/);
    expect(reason('nas.lan')).toMatch(/no type/);
    expect(reason('nas.lan 300')).toMatch(/no type/);
    expect(reason('nas.lan SOA a b 1 2 3 4 5')).toMatch(/type 'SOA' is not supported/);
    expect(reason('nas.lan CH A 10.0.0.1')).toMatch(/class CH/);
    expect(reason('nas.lan A 300.1.1.1')).toMatch(/not an IPv4 address/);
    expect(reason('nas.lan A 10.0.0.1 10.0.0.2')).toMatch(/A needs one IPv4 address/);
    expect(reason('nas.lan A')).toMatch(/got nothing/);
    expect(reason('nas.lan AAAA 192.168.1.1')).toMatch(/not an IPv6 address/);
    expect(reason('nas.lan AAAA fe80::1%eth0')).toMatch(/not an IPv6 address/);
    expect(reason('nas..lan A 10.0.0.1')).toMatch(/empty label/);
    expect(reason('*.lan A 10.0.0.1')).toMatch(/wildcards/);
    expect(reason('na s.lan A 10.0.0.1')).toMatch(/type 's.lan' is not supported/);
    expect(reason('nas!.lan A 10.0.0.1')).toMatch(/character/);
    expect(reason(`${'a'.repeat(64)}.lan A 10.0.0.1`)).toMatch(/longer than 63/);
    expect(reason('. A 10.0.0.1')).toMatch(/root/);
    expect(reason('lan MX ten mail.lan')).toMatch(/MX preference/);
    expect(reason('lan MX 70000 mail.lan')).toMatch(/MX preference/);
    expect(reason('lan SRV 0 5 mail.lan')).toMatch(/priority, weight, port and target/);
    expect(reason('lan CNAME "a.lan"')).toMatch(/quoted/);
    expect(reason('lan TXT "open')).toMatch(/not closed/);
    expect(reason(`lan TXT "${'x'.repeat(256)}"`)).toMatch(/longer than 255 bytes/);
    expect(reason('lan TXT')).toMatch(/at least one string/);
    expect(reason('lan 99999999999 A 10.0.0.1')).toMatch(/RFC 2181/);
  });
});
