// DNS over TLS to forwarders: the real server on loopback forwards zones over TLS to a TLS forwarder started
// here (Node's tls, counting its connections) and to a second rootline serving DoT. Certificates from the
// `rootline cert` code; the name, the CA and the SPKI pin are checked; connections are reused and reopened.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import type * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import * as dnsPacket from 'dns-packet';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCertificates } from '../../src/cli/cert.js';
import { mergeConfig, parseConfig } from '../../src/config/load.js';
import { DEFAULTS, type ZoneEntry } from '../../src/config/schema.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { frameMessage, StreamFramer } from '../../src/wire/framing.js';
import { ask, datas } from '../helpers/client.js';
import { freePortOn, serveOnLoopback, type LoopbackServer } from '../helpers/loopback-auth.js';

const silent = pino({ level: 'silent' });
const portOf = (addr: string): number => Number(addr.slice(addr.lastIndexOf(':') + 1));

/** A recursive server over TLS that answers every A query with 192.168.7.7. */
async function tlsForwarder(cert: string, key: string, host = '127.0.0.1'): Promise<{ port: number; connections: number; sockets: Set<net.Socket>; close(): Promise<void> }> {
  const state = { port: 0, connections: 0, sockets: new Set<net.Socket>(), close: () => Promise.resolve() };
  const server = tls.createServer({ cert, key, ALPNProtocols: ['dot'] }, (socket) => {
    state.connections++;
    state.sockets.add(socket);
    socket.on('close', () => state.sockets.delete(socket));
    socket.on('error', () => undefined);
    const framer = new StreamFramer();
    socket.on('data', (c: Buffer) => {
      framer.push(c);
      for (let m = framer.next(); m !== null; m = framer.next()) {
        const q = dnsPacket.decode(m);
        const answers = [{ type: 'A', name: q.questions![0]!.name, ttl: 60, data: '192.168.7.7' } as dnsPacket.Answer];
        socket.write(frameMessage(dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: q.questions, answers })));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  state.port = (server.address() as net.AddressInfo).port;
  state.close = () => new Promise<void>((r) => {
    for (const s of state.sockets) s.destroy();
    server.close(() => r());
  });
  return state;
}

describe('DNS over TLS to forwarders', () => {
  let forwarder: Awaited<ReturnType<typeof tlsForwarder>>;
  let dotRootline: RunningServer;
  let server: RunningServer;
  let port = 0;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rootline-dot-upstream-'));
    const certs = writeCertificates('dns.lab.test', { ip: ['127.0.0.1'], out: join(dir, 'tls') });
    const pin = certs.spkiPin;
    forwarder = await tlsForwarder(readFileSync(certs.certificate, 'utf8'), readFileSync(certs.key, 'utf8'));
    const hints = join(dir, 'named.root');
    writeFileSync(hints, '. 3600000 NS a.root.lab.\na.root.lab. 3600000 A 127.8.13.1\n');
    dotRootline = await startServer(
      mergeConfig(DEFAULTS, {}, { listen: ['127.0.0.1:0'], tlsListen: ['127.0.0.1:0'], tlsCertificate: [certs.certificate], tlsKey: [certs.key], localData: ['nas.viarootline.lan. 300 A 192.168.1.10'], rootHints: hints, dnssecValidation: false, controlSocket: 'off' }),
      { logger: silent },
    );
    const zone = (name: string, at: number, tlsSettings: NonNullable<ZoneEntry['tls']>): ZoneEntry => ({ name, servers: [{ address: '127.0.0.1', port: at }], fallback: 'servfail', tcp: false, tls: tlsSettings });
    const wrongPin = Buffer.alloc(32, 7).toString('base64');
    server = await startServer(
      mergeConfig(DEFAULTS, {}, {
        listen: ['127.0.0.1:0'],
        rootHints: hints, dnssecValidation: false,
        controlSocket: 'off',
        upstreamTimeoutMs: 1000,
        queryTimeoutMs: 2500,
        serveStale: false,
        forwardZones: [
          zone('named.lan', forwarder.port, { name: 'dns.lab.test', pin: '', ca: certs.ca }),
          zone('pinned.lan', forwarder.port, { name: '', pin, ca: '' }),
          zone('both.lan', forwarder.port, { name: 'dns.lab.test', pin, ca: certs.ca }),
          zone('badpin.lan', forwarder.port, { name: '', pin: wrongPin, ca: '' }),
          zone('badname.lan', forwarder.port, { name: 'other.lab.test', pin: '', ca: certs.ca }),
          zone('untrusted.lan', forwarder.port, { name: 'dns.lab.test', pin: '', ca: '' }),
          zone('viarootline.lan', portOf(dotRootline.encrypted.tls[0]!), { name: 'dns.lab.test', pin: '', ca: certs.ca }),
        ],
      }),
      { logger: silent },
    );
    port = portOf(server.addresses[0]!);
    // The first query waits for root priming, which the missing root here lets time out: get it over with.
    await ask('127.0.0.1', port, 'warm-up.test', 'A', { timeoutMs: 4000 }).catch(() => undefined);
  });

  afterAll(async () => {
    await server?.close();
    await dotRootline?.close();
    await forwarder?.close();
  });

  const q = (name: string) => ask('127.0.0.1', port, name, 'A', { edns: true, timeoutMs: 4000 });

  it('forwards over TLS with the certificate checked by name and CA, by SPKI pin, or both', async () => {
    for (const name of ['a.named.lan', 'a.pinned.lan', 'a.both.lan']) {
      const r = await q(name);
      expect([r.rcode, datas(r)], name).toEqual(['NOERROR', ['192.168.7.7']]);
    }
  });

  it('refuses a server whose key is not the pinned one, whose name is not tls-name, or whose CA is not trusted', async () => {
    for (const name of ['a.badpin.lan', 'a.badname.lan', 'a.untrusted.lan']) expect((await q(name)).rcode, name).toBe('SERVFAIL');
  });

  it('reuses one connection for many queries, pipelined, and opens a new one when the server closes it', async () => {
    const before = forwarder.connections;
    const names = Array.from({ length: 12 }, (_, i) => `n${i}.named.lan`);
    const replies = await Promise.all(names.map(q));
    expect(replies.every((r) => datas(r)[0] === '192.168.7.7')).toBe(true);
    expect(forwarder.connections - before).toBeLessThanOrEqual(1);
    for (const s of forwarder.sockets) s.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(datas(await q('after-close.named.lan'))).toEqual(['192.168.7.7']);
  });

  it('forwards to rootline serving DNS over TLS', async () => {
    expect(datas(await q('nas.viarootline.lan'))).toEqual(['192.168.1.10']);
  });
});

// tls-fallback needs plain DNS on port 53 of the TLS server's address: an address of its own, so nothing else's.
const PLAIN_HOST = '127.53.11.1';

describe('tls-fallback: none and plain', () => {
  let forwarder: Awaited<ReturnType<typeof tlsForwarder>>;
  let plain: LoopbackServer;
  let server: RunningServer;
  let port = 0;
  const logs: { event?: string; server?: string; reason?: string }[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rootline-tls-fallback-'));
    const certs = writeCertificates('dns.lab.test', { ip: [PLAIN_HOST], out: join(dir, 'tls') });
    forwarder = await tlsForwarder(readFileSync(certs.certificate, 'utf8'), readFileSync(certs.key, 'utf8'), PLAIN_HOST);
    // The same "router" in the clear: a different address in its answers tells which way a query went.
    plain = await serveOnLoopback(PLAIN_HOST, 53, (q) => ({
      type: 'response',
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
      answers: [{ type: 'A', name: q.questions![0]!.name, ttl: 60, data: '192.168.5.5' } as dnsPacket.Answer],
    }));
    const closed = await freePortOn([PLAIN_HOST]);
    const hints = join(dir, 'named.root');
    writeFileSync(hints, '. 3600000 NS a.root.lab.\na.root.lab. 3600000 A 127.8.13.2\n');
    const yaml = (name: string, at: number, extra: string[]): string[] => [`  - name: ${name}`, `    servers: ["${PLAIN_HOST}@${at}"]`, '    tls: true', '    tls-name: dns.lab.test', `    tls-ca: ${certs.ca}`, ...extra.map((e) => `    ${e}`)];
    const wrongPin = Buffer.alloc(32, 7).toString('base64');
    const file = parseConfig(
      [
        'forward-zones:',
        ...yaml('strict.lan', closed, []),
        ...yaml('open.lan', closed, ['tls-fallback: plain']),
        ...yaml('opentcp.lan', closed, ['tls-fallback: plain', 'tcp: true']),
        ...yaml('working.lan', forwarder.port, ['tls-fallback: plain']),
        `  - name: wrongpin.lan`,
        `    servers: ["${PLAIN_HOST}@${forwarder.port}"]`,
        '    tls: true',
        `    tls-pin: "${wrongPin}"`,
        '    tls-fallback: plain',
      ].join('\n'),
      join(dir, 'rootline.yaml'),
    );
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (logs.push(JSON.parse(String(chunk)) as never), done()) });
    server = await startServer(
      mergeConfig(DEFAULTS, file, { listen: ['127.0.0.1:0'], rootHints: hints, controlSocket: 'off', upstreamTimeoutMs: 1000, queryTimeoutMs: 2500, serveStale: false }),
      { logger: pino({ level: 'warn' }, sink) },
    );
    port = portOf(server.addresses[0]!);
    await ask('127.0.0.1', port, 'warm-up.test', 'A', { timeoutMs: 4000 }).catch(() => undefined);
  });

  afterAll(async () => {
    await server?.close();
    await plain?.close();
    await forwarder?.close();
  });

  const q = (name: string) => ask('127.0.0.1', port, name, 'A', { edns: true, timeoutMs: 4000 });
  // Names arrive in 0x20 mixed case.
  const plainSaw = (zone: string) => plain.queries.filter((x) => x.name.toLowerCase().endsWith(zone));

  it('none (the default): TLS or nothing — SERVFAIL, and not one query in the clear', async () => {
    expect((await q('a.strict.lan')).rcode).toBe('SERVFAIL');
    expect(plainSaw('strict.lan')).toEqual([]);
  });

  it('plain: TLS refused, so the query goes as plain DNS to port 53 of the same server; logged and counted', async () => {
    const before = server.core.shared.counters.upstreamTlsFallbacks;
    const r = await q('a.open.lan');
    expect([r.rcode, datas(r)]).toEqual(['NOERROR', ['192.168.5.5']]);
    expect(plainSaw('open.lan').map((x) => x.tcp)).toEqual([false]);
    expect(server.core.shared.counters.upstreamTlsFallbacks).toBeGreaterThan(before);
    expect(logs.some((l) => l.event === 'upstream_tls_fallback' && l.server?.startsWith(`${PLAIN_HOST}:`) && /ECONNREFUSED/.test(l.reason ?? ''))).toBe(true);
  });

  it('plain with tcp: true goes over TCP in the clear too', async () => {
    expect(datas(await q('b.opentcp.lan'))).toEqual(['192.168.5.5']);
    expect(plainSaw('opentcp.lan').map((x) => x.tcp)).toEqual([true]);
  });

  it('plain: a certificate that does not check out also falls back (the downgrade an attacker can force)', async () => {
    expect(datas(await q('a.wrongpin.lan'))).toEqual(['192.168.5.5']);
    expect(logs.some((l) => l.event === 'upstream_tls_fallback' && /tls-pin/.test(l.reason ?? ''))).toBe(true);
  });

  it('plain: while TLS works nothing goes in the clear, even on a server where another zone\'s pin failed', async () => {
    expect(datas(await q('a.working.lan'))).toEqual(['192.168.7.7']);
    expect(plainSaw('working.lan')).toEqual([]);
  });
});
