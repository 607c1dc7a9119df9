// The PROXY v2 parser (haproxy proxy-protocol.txt §2.2) and the gate that decides what each datagram becomes.
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { newCounters } from '../../../src/metrics.js';
import { createProxyGate } from '../../../src/server/proxy-gate.js';
import { MAX_PROXY_HEADER, parseProxyHeader, startsWithProxySignature } from '../../../src/server/proxy-protocol.js';
import { parseCidrs } from '../../../src/util/cidr.js';
import { proxyHeader, tlv } from '../../helpers/proxy-header.js';

const query = Buffer.from('abcdefghijklmnop'); // stands for a DNS message: only the bytes after the header matter

describe('parseProxyHeader', () => {
  it('reads an IPv4 PROXY header: the source address and port, and its length (16 + 12)', () => {
    const h = proxyHeader({ source: { address: '198.51.100.7', port: 5353 } });
    expect(parseProxyHeader(Buffer.concat([h, query]))).toEqual({ kind: 'proxy', length: 28, source: { address: '198.51.100.7', port: 5353 } });
  });

  it('reads an IPv6 PROXY header and writes the address as Node does (RFC 5952)', () => {
    const h = proxyHeader({ source: { address: '2001:db8:0:0:1:0:0:1', port: 1 }, transport: 'stream' });
    expect(parseProxyHeader(h)).toEqual({ kind: 'proxy', length: 52, source: { address: '2001:db8::1:0:0:1', port: 1 } });
    expect(parseProxyHeader(proxyHeader({ source: { address: '::1', port: 2 } }))).toMatchObject({ source: { address: '::1' } });
    expect(parseProxyHeader(proxyHeader({ source: { address: 'fd00:1:2:3:4:5:6:7', port: 2 } }))).toMatchObject({ source: { address: 'fd00:1:2:3:4:5:6:7' } });
  });

  it('skips well-formed TLVs (dnsdist may add some) and counts them in the length', () => {
    const tlvs = Buffer.concat([tlv(0xe0, Buffer.from('tag')), tlv(0x04, Buffer.alloc(0))]);
    expect(parseProxyHeader(proxyHeader({ tlvs }))).toMatchObject({ kind: 'proxy', length: 28 + tlvs.length });
  });

  it('reads LOCAL (the proxy itself, e.g. a health check) with no address', () => {
    expect(parseProxyHeader(Buffer.concat([proxyHeader({ command: 'local' }), query]))).toEqual({ kind: 'local', length: 16 });
  });

  it('says incomplete for every prefix of a valid header (a stream reads on; a datagram treats it as truncated)', () => {
    const h = proxyHeader();
    for (let n = 0; n < h.length; n++) expect(parseProxyHeader(h.subarray(0, n)).kind).toBe('incomplete');
  });

  it('rejects a wrong signature, version, command or family', () => {
    const h = proxyHeader();
    const flipped = (at: number, value: number): Buffer => {
      const b = Buffer.from(h);
      b[at] = value;
      return b;
    };
    expect(parseProxyHeader(query)).toEqual({ kind: 'invalid', reason: 'signature' });
    expect(parseProxyHeader(flipped(11, 0x00))).toEqual({ kind: 'invalid', reason: 'signature' });
    expect(parseProxyHeader(Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n'))).toEqual({ kind: 'invalid', reason: 'signature' }); // v1 text
    expect(parseProxyHeader(flipped(12, 0x11))).toEqual({ kind: 'invalid', reason: 'version' });
    expect(parseProxyHeader(flipped(12, 0x22))).toEqual({ kind: 'invalid', reason: 'command' });
    expect(parseProxyHeader(flipped(13, 0x41))).toEqual({ kind: 'invalid', reason: 'family' });
    expect(parseProxyHeader(flipped(13, 0x13))).toEqual({ kind: 'invalid', reason: 'family' });
    // PROXY over UNSPEC names no client: rejected (the spec allows it).
    expect(parseProxyHeader(flipped(13, 0x00))).toEqual({ kind: 'invalid', reason: 'family' });
  });

  it('rejects a length too short for the addresses, and TLVs that run past the end', () => {
    const short = proxyHeader();
    short.writeUInt16BE(8, 14);
    expect(parseProxyHeader(short)).toEqual({ kind: 'invalid', reason: 'truncated' });
    const bad = Buffer.concat([proxyHeader({ tlvs: Buffer.from([0xe0, 0x00, 0x09, 1, 2]) })]);
    expect(parseProxyHeader(bad)).toEqual({ kind: 'invalid', reason: 'tlv' });
    expect(parseProxyHeader(proxyHeader({ tlvs: Buffer.from([0xe0, 0x00]) }))).toEqual({ kind: 'invalid', reason: 'tlv' });
  });

  it('rejects a header over the cap from its length field alone, before the bytes arrive', () => {
    const big = proxyHeader({ tlvs: tlv(0xe0, Buffer.alloc(MAX_PROXY_HEADER)) });
    expect(parseProxyHeader(big.subarray(0, 16))).toEqual({ kind: 'invalid', reason: 'oversized' });
    const atCap = proxyHeader({ tlvs: tlv(0xe0, Buffer.alloc(MAX_PROXY_HEADER - 28 - 3)) });
    expect(parseProxyHeader(atCap)).toMatchObject({ kind: 'proxy', length: MAX_PROXY_HEADER });
  });

  it('knows the signature', () => {
    expect(startsWithProxySignature(proxyHeader())).toBe(true);
    expect(startsWithProxySignature(query)).toBe(false);
    expect(startsWithProxySignature(proxyHeader().subarray(0, 11))).toBe(false);
  });
});

describe('the proxy gate on datagrams', () => {
  const setup = () => {
    const counters = newCounters();
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) });
    let t = 0;
    const gate = createProxyGate(parseCidrs('proxy-protocol-from', ['127.0.0.10/32']), counters, logger, () => t);
    return { counters, lines, gate, tick: (ms: number) => (t += ms) };
  };
  const lb = { address: '127.0.0.10', port: 999, transport: 'udp' as const };
  const other = { address: '127.0.0.20', port: 999, transport: 'udp' as const };

  it('strips the header of a listed source and names the relayed client', () => {
    const { gate } = setup();
    const r = gate.datagram(Buffer.concat([proxyHeader({ source: { address: '198.51.100.7', port: 4242 } }), query]), lb);
    expect(r).toEqual({ query, client: { address: '198.51.100.7', port: 4242, transport: 'udp' } });
  });

  it('takes LOCAL as the proxy itself', () => {
    const { gate } = setup();
    expect(gate.datagram(Buffer.concat([proxyHeader({ command: 'local' }), query]), lb)).toEqual({ query, client: lb });
  });

  it('drops and counts: no header from a listed source, a truncated or oversized one, one from an unlisted source', () => {
    const { gate, counters } = setup();
    expect(gate.datagram(query, lb)).toBeNull();
    expect(gate.datagram(proxyHeader().subarray(0, 20), lb)).toBeNull();
    expect(gate.datagram(proxyHeader({ tlvs: tlv(0xe0, Buffer.alloc(600)) }), lb)).toBeNull();
    expect(gate.datagram(Buffer.concat([proxyHeader({ source: { address: '127.0.0.10', port: 1 } }), query]), other)).toBeNull();
    expect(counters).toMatchObject({ proxyHeaderMissing: 1, proxyHeaderInvalid: 1, proxyHeaderOversized: 1, proxyHeaderUnlisted: 1 });
  });

  it('passes plain queries from unlisted sources untouched', () => {
    const { gate } = setup();
    expect(gate.datagram(query, other)).toEqual({ query, client: other });
  });

  it('logs at most once a second, with how many went unlogged', () => {
    const { gate, lines, tick } = setup();
    for (let i = 0; i < 50; i++) {
      gate.datagram(query, lb);
      tick(30);
    }
    expect(lines.length).toBe(2); // at t=0 and t≈1020 ms
    expect(lines[0]).toMatchObject({ event: 'proxy_header_rejected', reason: 'missing', peer: '127.0.0.10', alsoRejectedSinceLast: 0 });
    expect(lines[1]!.alsoRejectedSinceLast).toBe(33);
  });
});

describe('the proxy gate on streams', () => {
  const gateFor = () => {
    const counters = newCounters();
    const gate = createProxyGate(parseCidrs('proxy-protocol-from', ['127.0.0.10/32']), counters, pino({ level: 'silent' }));
    return { counters, gate };
  };
  const lb = { address: '127.0.0.10', port: 999, transport: 'tcp' as const };
  const other = { address: '127.0.0.20', port: 999, transport: 'tcp' as const };
  const tick = () => new Promise((r) => setTimeout(r, 5));

  it('waits for a header split over chunks, then hands the relayed client and the bytes after it back', async () => {
    const { gate } = gateFor();
    const s = new PassThrough();
    let client: unknown = null;
    let rest: Buffer | null = null;
    gate.stream(s, lb, 1000, (c) => {
      client = c;
      s.once('data', (d: Buffer) => (rest = d));
    });
    const h = proxyHeader({ source: { address: '198.51.100.7', port: 7 }, transport: 'stream' });
    s.write(h.subarray(0, 10));
    await tick();
    expect(client).toBeNull();
    s.write(Buffer.concat([h.subarray(10), query]));
    await tick();
    expect(client).toEqual({ address: '198.51.100.7', port: 7, transport: 'tcp' });
    expect(rest).toEqual(query);
  });

  it('closes a balancer connection without a header or with an oversized one, and counts it', async () => {
    const { gate, counters } = gateFor();
    for (const bytes of [Buffer.concat([Buffer.from([0, 14]), query]), proxyHeader({ tlvs: tlv(0xe0, Buffer.alloc(600)) }).subarray(0, 16)]) {
      const s = new PassThrough();
      gate.stream(s, lb, 1000, () => expect.unreachable());
      s.write(bytes);
      await tick();
      expect(s.destroyed).toBe(true);
    }
    expect(counters).toMatchObject({ proxyHeaderMissing: 1, proxyHeaderOversized: 1 });
  });

  it('closes a header from another source (counted), serves its plain DNS, and does not count its silence', async () => {
    const { gate, counters } = gateFor();
    const header = new PassThrough();
    gate.stream(header, other, 1000, () => expect.unreachable());
    header.write(proxyHeader());
    const plain = new PassThrough();
    let served: unknown = null;
    gate.stream(plain, other, 1000, (c) => (served = c));
    plain.write(Buffer.concat([Buffer.from([0, 16]), query]));
    const silent = new PassThrough();
    gate.stream(silent, other, 10, () => expect.unreachable());
    await new Promise((r) => setTimeout(r, 30));
    expect(header.destroyed).toBe(true);
    expect(served).toEqual(other);
    expect(silent.destroyed).toBe(true);
    expect(counters).toMatchObject({ proxyHeaderUnlisted: 1, proxyHeaderMissing: 0, proxyHeaderInvalid: 0 });
  });
});
