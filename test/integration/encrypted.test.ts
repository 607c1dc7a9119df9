// The real server on loopback with DNS over TLS and DNS over HTTPS, certificates made by `rootline cert` code in a
// temp dir, and Node's own tls, http2 and https clients: the same answers as UDP, pipelining out of order, ALPN,
// padding, session resumption, every HTTP error, a certificate reload under an open connection, bad certificates.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type * as http2 from 'node:http2';
import * as tls from 'node:tls';
import * as dnsPacket from 'dns-packet';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCertificates, type WrittenCertificates } from '../../src/cli/cert.js';
import { mergeConfig } from '../../src/config/load.js';
import { DEFAULTS, type Config } from '../../src/config/schema.js';
import { ErrorCode, RootlineError } from '../../src/errors.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { QTYPE_SLOTS, transportIndex } from '../../src/observe/tallies.js';
import { makeCertificates } from '../../src/tls/make-certificates.js';
import { PADDING_OPTION, RESPONSE_BLOCK } from '../../src/wire/padding.js';
import { localSource, startMetrics } from '../../src/observe/serve-metrics.js';
import { sendRaw } from '../helpers/client.js';
import { connectDot, connectH2, h2Request, http1Request, paddedQuery } from '../helpers/encrypted-clients.js';
import { authoritative, rr } from '../helpers/fake-net.js';
import { scrape } from '../helpers/prometheus.js';
import { freePortOn, serveOnLoopback, type LoopbackServer } from '../helpers/loopback-auth.js';

const ROOT = '127.8.11.1';
const silent = pino({ level: 'silent' });
const portOf = (addr: string): number => Number(addr.slice(addr.lastIndexOf(':') + 1));
const optionsOf = (reply: Buffer): { code: number; data: Buffer }[] => {
  const opt = dnsPacket.decode(reply).additionals?.find((a) => a.type === 'OPT') as { options?: { code: number; data: Buffer }[] } | undefined;
  return opt?.options ?? [];
};

describe('DNS over TLS and DNS over HTTPS, served on loopback', () => {
  let root: LoopbackServer;
  let server: RunningServer;
  let config: Config;
  let dir: string;
  let certs: WrittenCertificates;
  let ca: Buffer;
  let udpPort = 0;
  let dotPort = 0;
  let dohPort = 0;

  beforeAll(async () => {
    const upstreamPort = await freePortOn([ROOT]);
    // slow.test is answered by the "root" after a delay: the query that is overtaken on a pipelined connection.
    const answers = authoritative('.', [rr.ns('.', 'a.root.lab'), rr.a('a.root.lab', ROOT), rr.a('slow.test', '192.0.2.9')]);
    root = await serveOnLoopback(ROOT, upstreamPort, async (q, o) => {
      if (/(^|\.)slow\.test$/i.test(q.questions?.[0]?.name ?? '')) await new Promise((r) => setTimeout(r, 300));
      return answers(q, o);
    });
    dir = mkdtempSync(join(tmpdir(), 'rootline-encrypted-'));
    const hints = join(dir, 'named.root');
    writeFileSync(hints, `. 3600000 NS a.root.lab.\na.root.lab. 3600000 A ${ROOT}\n`);
    certs = writeCertificates('localhost', { ip: ['127.0.0.1'], out: join(dir, 'tls') });
    ca = readFileSync(certs.ca);
    const localData = ['nas.home.arpa. 300 A 192.168.1.10', 'tv.home.arpa. 120 AAAA fd00::20', ...Array.from({ length: 30 }, (_, i) => `h${i}.home.arpa. 600 A 192.168.2.${i}`)];
    config = mergeConfig(DEFAULTS, {}, {
      listen: ['127.0.0.1:0'],
      tlsListen: ['127.0.0.1:0'],
      httpsListen: ['127.0.0.1:0'],
      tlsCertificate: [certs.certificate],
      tlsKey: [certs.key],
      localData,
      rootHints: hints, dnssecValidation: false,
      upstreamPort,
      upstreamTimeoutMs: 1000,
      queryTimeoutMs: 3000,
      serveStale: false,
      controlSocket: 'off',
    });
    server = await startServer(config, { logger: silent });
    udpPort = portOf(server.addresses[0]!);
    dotPort = portOf(server.encrypted.tls[0]!);
    dohPort = portOf(server.encrypted.https[0]!);
  });

  afterAll(async () => {
    await server?.close();
    await root?.close();
  });

  describe('DNS over TLS (RFC 7858)', () => {
    it('negotiates TLS 1.2+ with ALPN dot and answers exactly as over UDP', async () => {
      const dot = await connectDot(dotPort, ca);
      expect(dot.socket.alpnProtocol).toBe('dot');
      expect(['TLSv1.2', 'TLSv1.3']).toContain(dot.socket.getProtocol());
      for (const [name, type] of [['nas.home.arpa', 'A'], ['tv.home.arpa', 'AAAA'], ['nothere.home.arpa', 'A'], ['slow.test', 'A']]) {
        const query = paddedQuery(name!, type!, 4242, false);
        const [overTls] = await dot.exchange([query]);
        const overUdp = await sendRaw('127.0.0.1', udpPort, query);
        expect(overTls, `${name} ${type}`).toEqual(overUdp);
      }
      dot.close();
    });

    it('answers many pipelined queries on one connection as each completes, out of order', async () => {
      const dot = await connectDot(dotPort, ca);
      const queries = [paddedQuery('x.slow.test', 'A', 1000, false), ...Array.from({ length: 30 }, (_, i) => paddedQuery(`h${i}.home.arpa`, 'A', 2000 + i, false))];
      const replies = await dot.exchange(queries);
      const ids = replies.map((r) => r.readUInt16BE(0));
      expect(new Set(ids)).toEqual(new Set(queries.map((q) => q.readUInt16BE(0))));
      expect(ids[ids.length - 1]).toBe(1000); // the slow one, sent first, answered last
      dot.close();
    });

    it('refuses TLS versions below 1.2', async () => {
      await expect(connectDot(dotPort, ca, { maxVersion: 'TLSv1.1', minVersion: 'TLSv1' })).rejects.toThrow();
    });

    it('resumes a TLS session (RFC 7858 §3.4)', async () => {
      const first = await connectDot(dotPort, ca, { maxVersion: 'TLSv1.2' });
      const session = first.socket.getSession();
      first.close();
      const again = await connectDot(dotPort, ca, { maxVersion: 'TLSv1.2', session });
      expect(again.socket.isSessionReused()).toBe(true);
      expect((await again.exchange([paddedQuery('nas.home.arpa', 'A', 7, false)])).length).toBe(1);
      again.close();
    });

    it('pads responses to a multiple of 468 bytes when the query is padded, and not otherwise (RFC 7830, RFC 8467)', async () => {
      const dot = await connectDot(dotPort, ca);
      for (const name of ['nas.home.arpa', 'tv.home.arpa', 'nothere.home.arpa']) {
        const [padded] = await dot.exchange([paddedQuery(name, name.startsWith('tv') ? 'AAAA' : 'A', 11, true)]);
        expect(padded!.length % RESPONSE_BLOCK, name).toBe(0);
        const pad = optionsOf(padded!).find((o) => o.code === PADDING_OPTION);
        expect(pad?.data.every((b) => b === 0)).toBe(true);
        const [plain] = await dot.exchange([paddedQuery(name, 'A', 12, false)]);
        expect(optionsOf(plain!).some((o) => o.code === PADDING_OPTION)).toBe(false);
      }
      dot.close();
    });
  });

  describe('DNS over HTTPS (RFC 8484)', () => {
    let session: http2.ClientHttp2Session;
    beforeAll(async () => {
      session = await connectH2(dohPort, ca);
    });
    afterAll(() => session?.close());

    const dnsParam = (q: Buffer): string => q.toString('base64url');

    it('negotiates h2, and answers GET and POST with ID 0 exactly as over UDP, max-age the smallest TTL', async () => {
      expect((session.socket as tls.TLSSocket).alpnProtocol).toBe('h2');
      const query = paddedQuery('nas.home.arpa', 'A', 0, false);
      const overUdp = await sendRaw('127.0.0.1', udpPort, query);
      const get = await h2Request(session, 'GET', `/dns-query?dns=${dnsParam(query)}`);
      expect([get.status, get.headers['content-type']]).toEqual([200, 'application/dns-message']);
      expect(get.body).toEqual(overUdp);
      // The answer cache counts the TTL down: max-age follows the TTL in the answer sent.
      const ttl = (dnsPacket.decode(get.body).answers![0] as { ttl: number }).ttl;
      expect(ttl).toBeGreaterThan(290);
      expect(get.headers['cache-control']).toBe(`max-age=${ttl}`);
      const post = await h2Request(session, 'POST', '/dns-query', query, { 'content-type': 'application/dns-message' });
      expect([post.status, post.body]).toEqual([200, overUdp]);
      expect(post.body.readUInt16BE(0)).toBe(0);
      const tv = await h2Request(session, 'GET', `/dns-query?dns=${dnsParam(paddedQuery('tv.home.arpa', 'AAAA', 0, false))}`);
      expect(tv.headers['cache-control']).toBe(`max-age=${(dnsPacket.decode(tv.body).answers![0] as { ttl: number }).ttl}`);
    });

    it('serves HTTP/1.1 to a client that offers only http/1.1', async () => {
      const query = paddedQuery('nas.home.arpa', 'A', 0, false);
      const r = await http1Request(dohPort, ca, 'POST', '/dns-query', query, { 'content-type': 'application/dns-message' });
      expect([r.alpn, r.status, r.body]).toEqual(['http/1.1', 200, await sendRaw('127.0.0.1', udpPort, query)]);
    });

    it('pads DoH answers when the query is padded', async () => {
      const r = await h2Request(session, 'POST', '/dns-query', paddedQuery('nas.home.arpa', 'A', 0, true), { 'content-type': 'application/dns-message' });
      expect(r.body.length % RESPONSE_BLOCK).toBe(0);
    });

    it('answers each bad request with its status and a short text body', async () => {
      const query = paddedQuery('nas.home.arpa', 'A', 0, false);
      const cases: [string, Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>][] = [
        ['400 bad dns', h2Request(session, 'GET', '/dns-query?dns=not+base64!')],
        ['400 padded', h2Request(session, 'GET', `/dns-query?dns=${dnsParam(query.subarray(0, 29))}=`)],
        ['400 no dns', h2Request(session, 'GET', '/dns-query')],
        ['400 undecodable', h2Request(session, 'GET', `/dns-query?dns=${dnsParam(Buffer.from('this is not a dns message at all'))}`)],
        ['400 undecodable post', h2Request(session, 'POST', '/dns-query', Buffer.alloc(5), { 'content-type': 'application/dns-message' })],
        ['415', h2Request(session, 'POST', '/dns-query', query, { 'content-type': 'application/json' })],
        ['413', h2Request(session, 'POST', '/dns-query', Buffer.alloc(70_000), { 'content-type': 'application/dns-message' })],
        ['405', h2Request(session, 'PUT', '/dns-query', query, { 'content-type': 'application/dns-message' })],
        ['404', h2Request(session, 'GET', `/resolve?dns=${dnsParam(query)}`)],
      ];
      for (const [what, reply] of cases) {
        const r = await reply;
        expect(r.status, what).toBe(Number(what.slice(0, 3)));
        expect(r.headers['content-type'], what).toMatch(/^text\/plain/);
        expect(r.body.length, what).toBeGreaterThan(0);
        expect(r.body.toString().trim().split('\n').length, what).toBe(1);
      }
      expect((await h2Request(session, 'DELETE', '/dns-query')).headers['allow']).toBe('GET, POST');
    });
  });

  it('counts DoT and DoH queries under their own transports (metrics)', () => {
    const t = server.pipeline.tallies.queries;
    const sum = (via: number): number => t.slice(via * QTYPE_SLOTS, (via + 1) * QTYPE_SLOTS).reduce((a, b) => a + b, 0);
    expect(sum(transportIndex('tls'))).toBeGreaterThan(30);
    expect(sum(transportIndex('https'))).toBeGreaterThan(3);
  });

  it('shows them on /metrics as transport="tls" and transport="https", query for query', async () => {
    const metrics = (await startMetrics({ ...config, metricsListen: '127.0.0.1:0' }, silent, localSource(server)))!;
    try {
      const before = (await scrape(metrics.address)).parsed;
      const dot = await connectDot(dotPort, ca);
      await dot.exchange([paddedQuery('h1.home.arpa', 'A', 1, false), paddedQuery('h2.home.arpa', 'A', 2, false), paddedQuery('tv.home.arpa', 'AAAA', 3, false)]);
      dot.close();
      const session = await connectH2(dohPort, ca);
      for (const name of ['h3.home.arpa', 'h4.home.arpa']) await h2Request(session, 'POST', '/dns-query', paddedQuery(name, 'A', 0, false), { 'content-type': 'application/dns-message' });
      session.close();
      const after = (await scrape(metrics.address)).parsed;
      const delta = (name: string, labels: Record<string, string>): number => after.sum(name, labels) - before.sum(name, labels);
      expect(delta('rootline_queries_total', { transport: 'tls', qtype: 'A' })).toBe(2);
      expect(delta('rootline_queries_total', { transport: 'tls', qtype: 'AAAA' })).toBe(1);
      expect(delta('rootline_queries_total', { transport: 'https', qtype: 'A' })).toBe(2);
      expect(delta('rootline_responses_total', { transport: 'tls', rcode: 'NOERROR' })).toBe(3);
      expect(delta('rootline_responses_total', { transport: 'https', rcode: 'NOERROR' })).toBe(2);
      expect(delta('rootline_queries_total', { transport: 'udp' }) + delta('rootline_queries_total', { transport: 'tcp' })).toBe(0);
    } finally {
      await metrics.close();
    }
  });

  it('applies the ACL, the rate limit and the query log to DoT and DoH clients, and never truncates', async () => {
    const logs: { event?: string; transport?: string; client?: string }[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (logs.push(JSON.parse(String(chunk)) as never), done()) });
    const policed = await startServer(
      { ...config, deny: ['127.0.0.2/32'], ratelimit: 1, ratelimitBurst: 2, ratelimitExempt: [], ratelimitAction: 'truncate', queryLog: true },
      { logger: pino({ level: 'info' }, sink) },
    );
    try {
      const dot = portOf(policed.encrypted.tls[0]!);
      const doh = portOf(policed.encrypted.https[0]!);
      const denied = await connectDot(dot, ca, { localAddress: '127.0.0.2' } as tls.ConnectionOptions);
      const [refused] = await denied.exchange([paddedQuery('nas.home.arpa', 'A', 31, false)]);
      expect(refused![3]! & 0x0f).toBe(5); // REFUSED
      denied.close();
      const post = (): Promise<{ status: number; body: Buffer }> =>
        http1Request(doh, ca, 'POST', '/dns-query', paddedQuery('nas.home.arpa', 'A', 0, false), { 'content-type': 'application/dns-message' }, '127.0.0.3');
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await post()).status);
      // Over the limit a UDP client would get TC=1; over HTTPS the query is dropped, which HTTP says as 503.
      expect(statuses.slice(0, 2)).toEqual([200, 200]);
      expect(statuses.slice(2)).toContain(503);
      const queryLines = logs.filter((l) => l.event === 'query');
      expect(queryLines.some((l) => l.transport === 'tls' && l.client === '127.0.0.2')).toBe(true);
      expect(queryLines.some((l) => l.transport === 'https' && l.client === '127.0.0.3')).toBe(true);
    } finally {
      await policed.close();
    }
  });

  describe('certificates', () => {
    it('swaps the certificate on reload; a connection open before keeps answering', async () => {
      const before = await connectDot(dotPort, ca);
      const oldFingerprint = before.socket.getPeerCertificate().fingerprint256;
      const next = writeCertificates('localhost', { ip: ['127.0.0.1'], out: join(dir, 'tls2') });
      await server.reload({ ...config, tlsCertificate: [next.certificate], tlsKey: [next.key] });
      const [still] = await before.exchange([paddedQuery('nas.home.arpa', 'A', 21, false)]);
      expect(still!.readUInt16BE(0)).toBe(21);
      const after = await connectDot(dotPort, readFileSync(next.ca));
      expect(after.socket.getPeerCertificate().fingerprint256).not.toBe(oldFingerprint);
      after.close();
      before.close();
      // A bad certificate on reload fails it, and the one in force stays.
      await expect(server.reload({ ...config, tlsCertificate: [join(dir, 'missing.pem')], tlsKey: [next.key] })).rejects.toThrow(/missing\.pem/);
      const stays = await connectDot(dotPort, readFileSync(next.ca));
      stays.close();
    });

    const startWith = (certificate: string, key: string): Promise<RunningServer> =>
      startServer({ ...config, tlsCertificate: [certificate], tlsKey: [key] }, { logger: silent });
    const oneLineError = async (p: Promise<RunningServer>, file: string): Promise<void> => {
      const e = await p.then(
        (s) => (void s.close(), null),
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(RootlineError);
      expect((e as RootlineError).code).toBe(ErrorCode.TLS_CERTIFICATE);
      expect((e as Error).message).toContain(file);
      expect((e as Error).message).not.toContain('\n');
    };

    it('picks the certificate by the name the client asks for (SNI), the first one otherwise', async () => {
      const other = writeCertificates('resolver.example', { out: join(dir, 'tls-sni') });
      const two = await startServer(
        { ...config, httpsListen: [], tlsCertificate: [certs.certificate, other.certificate], tlsKey: [certs.key, other.key] },
        { logger: silent },
      );
      try {
        const port = portOf(two.encrypted.tls[0]!);
        const both = Buffer.concat([ca, readFileSync(other.ca)]);
        const byName = await connectDot(port, both, { servername: 'resolver.example' });
        expect(byName.socket.getPeerCertificate().subject.CN).toBe('resolver.example');
        byName.close();
        const unknown = await connectDot(port, both, { servername: 'localhost' });
        expect(unknown.socket.getPeerCertificate().subject.CN).toBe('localhost');
        unknown.close();
      } finally {
        await two.close();
      }
    });

    it('refuses to start with a missing certificate file, naming it in one line', async () => {
      await oneLineError(startWith(join(dir, 'nope.pem'), certs.key), 'nope.pem');
    });

    it('refuses a key that does not belong to the certificate, and an expired certificate', async () => {
      const other = makeCertificates(['localhost']);
      const otherKey = join(dir, 'other.key');
      writeFileSync(otherKey, other.server.key);
      await oneLineError(startWith(certs.certificate, otherKey), otherKey);
      const old = makeCertificates(['localhost'], new Date('2019-01-01T00:00:00Z'));
      writeFileSync(join(dir, 'old.pem'), old.server.certificate);
      writeFileSync(join(dir, 'old.key'), old.server.key);
      await oneLineError(startWith(join(dir, 'old.pem'), join(dir, 'old.key')), 'old.pem');
    });
  });
});
