// DNS over TLS and HTTPS with the clients people use: `rootline cert` from the built binary makes the
// certificate, then kdig (+tls, +tls-pin, +https, +padding) and curl (POST, GET over HTTP/2, --doh-url) ask the
// real server on loopback. Skipped loudly when kdig (Debian knot-dnsutils) or curl is missing.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeConfig } from '../../src/config/load.js';
import { DEFAULTS } from '../../src/config/schema.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { buildQuery, sendRaw } from '../helpers/client.js';
import { assertCliBuilt, runCli, spawnCli } from '../helpers/cli.js';
import { freePortOn } from '../helpers/loopback-auth.js';

const run = promisify(execFile);
const which = (cmd: string): string | null => ['/usr/bin', '/usr/local/bin', '/bin'].map((d) => join(d, cmd)).find((p) => existsSync(p)) ?? null;
const kdig = which('kdig');
const curl = which('curl');
const missing = [kdig ? '' : 'kdig (Debian package knot-dnsutils)', curl ? '' : 'curl'].filter(Boolean).join(', ');
if (missing) console.warn(`\n!!! SKIPPED: DoT/DoH tests with real clients; missing: ${missing}\n`);

const portOf = (addr: string): number => Number(addr.slice(addr.lastIndexOf(':') + 1));

describe('rootline cert', () => {
  it('writes ca.pem, NAME.pem with the chain and NAME.key (0600), and prints the trust steps and the SPKI pin', async () => {
    assertCliBuilt();
    const out = join(mkdtempSync(join(tmpdir(), 'rootline-cert-')), 'tls');
    const r = await runCli(['cert', 'dns.home.arpa', '--ip', '192.168.1.2', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(join(out, 'dns.home.arpa.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(out, 'dns.home.arpa.pem'), 'utf8').match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(r.stdout).toMatch(/update-ca-certificates/);
    expect(r.stdout).toMatch(/Android/);
    expect(r.stdout).toMatch(/Firefox/);
    expect(r.stdout).toMatch(/SPKI pin .*: [A-Za-z0-9+/]{43}=/);
    const again = await runCli(['cert', 'dns.home.arpa', '--out', out]);
    expect([again.code, again.stderr.trim().split('\n').length]).toEqual([1, 1]);
    expect(again.stderr).toMatch(/exists already/);
  });
});

describe.skipIf(missing !== '')(`kdig and curl against DoT and DoH${missing ? ` — SKIPPED: missing ${missing}` : ''}`, () => {
  let server: RunningServer;
  let web: http.Server;
  let dir = '';
  let pin = '';
  let ports = { udp: 0, dot: 0, doh: 0, web: 0 };

  beforeAll(async () => {
    assertCliBuilt();
    dir = mkdtempSync(join(tmpdir(), 'rootline-realclients-'));
    const cert = await runCli(['cert', 'localhost', '--ip', '127.0.0.1', '--out', dir]);
    pin = /SPKI pin .*: (\S+)/.exec(cert.stdout)![1]!;
    web = http.createServer((_req, res) => res.end('hello from web.home.arpa\n'));
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    const hints = join(dir, 'named.root');
    writeFileSync(hints, '. 3600000 NS a.root.lab.\na.root.lab. 3600000 A 127.8.12.1\n');
    server = await startServer(
      mergeConfig(DEFAULTS, {}, {
        listen: ['127.0.0.1:0'],
        tlsListen: ['127.0.0.1:0'],
        httpsListen: ['127.0.0.1:0'],
        tlsCertificate: [join(dir, 'localhost.pem')],
        tlsKey: [join(dir, 'localhost.key')],
        localData: ['nas.home.arpa. 300 A 192.168.1.10', 'web.home.arpa. 60 A 127.0.0.1'],
        rootHints: hints, dnssecValidation: false,
        controlSocket: 'off',
      }),
      { logger: pino({ level: 'silent' }) },
    );
    ports = { udp: portOf(server.addresses[0]!), dot: portOf(server.encrypted.tls[0]!), doh: portOf(server.encrypted.https[0]!), web: (web.address() as { port: number }).port };
  });

  afterAll(async () => {
    await server?.close();
    web?.close();
  });

  const tlsArgs = () => ['@127.0.0.1', '-p', String(ports.dot), `+tls-ca=${join(dir, 'ca.pem')}`, '+tls-hostname=localhost'];

  it('kdig +tls verifies the certificate against ca.pem and gets the answer', async () => {
    const { stdout } = await run(kdig!, [...tlsArgs(), '+short', 'nas.home.arpa', 'A']);
    expect(stdout.trim()).toBe('192.168.1.10');
  });

  it('kdig +tls-pin accepts the pin rootline cert printed', async () => {
    const { stdout } = await run(kdig!, ['@127.0.0.1', '-p', String(ports.dot), `+tls-pin=${pin}`, '+short', 'nas.home.arpa']);
    expect(stdout.trim()).toBe('192.168.1.10');
  });

  it('kdig +padding gets a response of 468 bytes', async () => {
    const { stdout } = await run(kdig!, [...tlsArgs(), '+padding', 'nas.home.arpa']);
    expect(stdout).toMatch(/Received 468 B/);
    expect(stdout).toMatch(/PADDING/);
  });

  it('kdig +https asks /dns-query over HTTP/2', async () => {
    const { stdout } = await run(kdig!, ['@127.0.0.1', '-p', String(ports.doh), `+tls-ca=${join(dir, 'ca.pem')}`, '+tls-hostname=localhost', '+https', '+short', 'nas.home.arpa']);
    expect(stdout.trim()).toBe('192.168.1.10');
  });

  const curlBase = () => ['-s', '--cacert', join(dir, 'ca.pem'), '--resolve', `localhost:${ports.doh}:127.0.0.1`];

  it('curl POSTs application/dns-message and gets the bytes UDP gets', async () => {
    const query = buildQuery('nas.home.arpa', 'A', { id: 0, edns: true });
    writeFileSync(join(dir, 'q.bin'), query);
    const out = join(dir, 'a.bin');
    await run(curl!, [...curlBase(), '-H', 'content-type: application/dns-message', '--data-binary', `@${join(dir, 'q.bin')}`, '-o', out, `https://localhost:${ports.doh}/dns-query`]);
    expect(readFileSync(out)).toEqual(await sendRaw('127.0.0.1', ports.udp, query));
  });

  it('curl GETs ?dns= over HTTP/2 with Cache-Control max-age', async () => {
    const query = buildQuery('nas.home.arpa', 'A', { id: 0 }).toString('base64url');
    const { stdout } = await run(curl!, [...curlBase(), '--http2', '-D', '-', '-o', '/dev/null', '-w', '%{http_version}', `https://localhost:${ports.doh}/dns-query?dns=${query}`]);
    expect(stdout).toMatch(/^HTTP\/2 200/);
    expect(stdout).toMatch(/cache-control: max-age=(29[0-9]|300)\r?$/im);
    expect(stdout.trim().endsWith('2')).toBe(true);
  });

  it('curl --doh-url resolves a name through rootline and fetches the page', async () => {
    const { stdout } = await run(curl!, [...curlBase(), '--doh-url', `https://localhost:${ports.doh}/dns-query`, `http://web.home.arpa:${ports.web}/`]);
    expect(stdout).toBe('hello from web.home.arpa\n');
  });
});

describe.skipIf(missing !== '')(`DoT and DoH with --workers 2${missing ? ` — SKIPPED: missing ${missing}` : ''}`, () => {
  it('logs every DoT, DoH and plaintext-DoH address in the listening line, and the workers answer on them', async () => {
    assertCliBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'rootline-enc-workers-'));
    const cert = await runCli(['cert', 'localhost', '--ip', '127.0.0.1', '--out', dir]);
    expect(cert.code, cert.stderr).toBe(0);
    const at = '127.0.0.1';
    const [udp, dot, doh, plain] = await Promise.all([0, 1, 2, 3].map(() => freePortOn([at])));
    const config = join(dir, 'rootline.yaml');
    writeFileSync(
      config,
      [
        `tls-listen: ["${at}:${dot}"]`,
        `https-listen: ["${at}:${doh}"]`,
        `http-listen: ["${at}:${plain}"]`,
        'trusted-proxies: [127.0.0.1/32]',
        'tls-certificate: localhost.pem',
        'tls-key: localhost.key',
        'local-data: ["nas.home.arpa. 300 A 192.168.1.10"]',
        'control-socket: off',
        '',
      ].join('\n'),
    );
    const p = spawnCli(['serve', '--config', config, '--listen', `${at}:${udp}`, '--log-format', 'json', '--workers', '2']);
    try {
      const out = await p.waitForOutput(/"event":"listening"/, 20_000);
      const line = JSON.parse(out.split('\n').find((l) => l.includes('"event":"listening"'))!) as Record<string, unknown>;
      expect(line).toMatchObject({ addresses: [`${at}:${udp}`], tls: [`${at}:${dot}`], https: [`${at}:${doh}`], http: [`${at}:${plain}`], workers: 2 });
      const { stdout } = await run(kdig!, [`@${at}`, '-p', String(dot), `+tls-ca=${join(dir, 'ca.pem')}`, '+tls-hostname=localhost', '+short', 'nas.home.arpa']);
      expect(stdout.trim()).toBe('192.168.1.10');
      const viaHttps = await run(kdig!, [`@${at}`, '-p', String(doh), `+tls-ca=${join(dir, 'ca.pem')}`, '+tls-hostname=localhost', '+https', '+short', 'nas.home.arpa']);
      expect(viaHttps.stdout.trim()).toBe('192.168.1.10');
    } finally {
      process.kill(p.pid, 'SIGTERM');
      await p.waitForExit(10_000).catch(() => process.kill(p.pid, 'SIGKILL'));
    }
  });
});
