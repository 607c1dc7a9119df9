// Plaintext DoH on http-listen behind a reverse proxy: nginx (Debian's nginx-light) terminates TLS and passes
// requests on with X-Forwarded-For; curl is the client, bound to chosen loopback addresses. The forwarded
// client is what the ACL, the rate limit and the query log see, and only when the TCP peer is in
// trusted-proxies; from anyone else the header is ignored. Skipped loudly when nginx or curl is missing.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCertificates } from '../../src/cli/cert.js';
import { mergeConfig } from '../../src/config/load.js';
import { DEFAULTS, type Config } from '../../src/config/schema.js';
import { ErrorCode, RootlineError } from '../../src/errors.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { QTYPE_SLOTS, transportIndex } from '../../src/observe/tallies.js';
import { decodePacket } from '../../src/wire/decode.js';
import { buildQuery } from '../helpers/client.js';
import { spawnProgram, type CliProcess } from '../helpers/cli.js';
import { freePortOn } from '../helpers/loopback-auth.js';

const run = promisify(execFile);
const which = (cmd: string): string | null => ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin'].map((d) => join(d, cmd)).find((p) => existsSync(p)) ?? null;
const nginx = which('nginx');
const curl = which('curl');
const missing = [nginx ? '' : 'nginx (Debian package nginx-light)', curl ? '' : 'curl'].filter(Boolean).join(', ');
if (missing) console.warn(`\n!!! SKIPPED: DoH behind a reverse proxy; missing: ${missing}\n`);

const portOf = (addr: string): number => Number(addr.slice(addr.lastIndexOf(':') + 1));
/** The address nginx connects to rootline from (proxy_bind): the one trusted proxy. */
const PROXY = '127.0.0.2';
const NGINX_AT = '127.0.0.1';

interface LogLine {
  event?: string;
  client?: string;
  transport?: string;
  name?: string;
}

describe.skipIf(missing !== '')(`DoH on http-listen behind nginx${missing ? ` — SKIPPED: missing ${missing}` : ''}`, () => {
  let server: RunningServer;
  let proxy: CliProcess | null = null;
  let dir = '';
  let config: Config;
  let httpPort = 0;
  let nginxPort = 0;
  const logs: LogLine[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rootline-doh-proxy-'));
    const certs = writeCertificates('localhost', { ip: ['127.0.0.1'], out: join(dir, 'tls') });
    const hints = join(dir, 'named.root');
    writeFileSync(hints, '. 3600000 NS a.root.lab.\na.root.lab. 3600000 A 127.8.14.1\n');
    config = mergeConfig(DEFAULTS, {}, {
      listen: ['127.0.0.1:0'],
      httpListen: ['127.0.0.1:0'],
      trustedProxies: [`${PROXY}/32`],
      deny: ['127.0.0.9/32'],
      ratelimit: 1,
      ratelimitBurst: 2,
      ratelimitExempt: [],
      localData: ['nas.home.arpa. 300 A 192.168.1.10', ...Array.from({ length: 8 }, (_, i) => `h${i}.home.arpa. 300 A 192.168.2.${i}`)],
      rootHints: hints,
      controlSocket: 'off',
      queryLog: true,
    });
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (logs.push(JSON.parse(String(chunk)) as LogLine), done()) });
    server = await startServer(config, { logger: pino({ level: 'info' }, sink) });
    httpPort = portOf(server.encrypted.http[0]!);

    nginxPort = await freePortOn([NGINX_AT]);
    mkdirSync(join(dir, 'nginx'), { recursive: true });
    const conf = join(dir, 'nginx', 'nginx.conf');
    const tmp = (what: string): string => `${what}_temp_path ${join(dir, 'nginx', what)};`;
    writeFileSync(
      conf,
      [
        'daemon off;',
        'master_process off;',
        'worker_processes 1;',
        `pid ${join(dir, 'nginx', 'nginx.pid')};`,
        `error_log ${join(dir, 'nginx', 'error.log')} warn;`,
        'events { worker_connections 64; }',
        'http {',
        '  access_log off;',
        `  ${tmp('client_body')} ${tmp('proxy')} ${tmp('fastcgi')} ${tmp('uwsgi')} ${tmp('scgi')}`,
        '  server {',
        `    listen ${NGINX_AT}:${nginxPort} ssl http2;`,
        `    ssl_certificate ${certs.certificate};`,
        `    ssl_certificate_key ${certs.key};`,
        '    location /dns-query {',
        `      proxy_pass http://127.0.0.1:${httpPort};`,
        `      proxy_bind ${PROXY};`,
        '      proxy_http_version 1.1;',
        '      proxy_set_header Connection "";',
        '      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    proxy = spawnProgram(nginx!, ['-p', join(dir, 'nginx'), '-c', conf]);
    // Up once it answers: a request for another path is nginx's own 404.
    for (let i = 0; i < 50; i++) {
      const r = await run(curl!, ['-s', '-k', '-o', '/dev/null', '-w', '%{http_code}', `https://${NGINX_AT}:${nginxPort}/`]).catch(() => null);
      if (r?.stdout === '404') break;
      if (!proxy.running()) throw new Error(`nginx exited: ${proxy.stderr()} ${readFileSync(join(dir, 'nginx', 'error.log'), 'utf8')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(async () => {
    if (proxy?.running()) {
      process.kill(proxy.pid, 'SIGTERM');
      await proxy.waitForExit(5000).catch(() => process.kill(proxy!.pid, 'SIGKILL'));
    }
    await server?.close();
  });

  /** POSTs a query with curl from `from` to `url`; the status and the reply's rcode (or null without one). */
  const post = async (url: string, from: string, name: string, headers: string[] = []): Promise<{ status: number; rcode: string | null }> => {
    const q = join(dir, `q-${name}.bin`);
    const out = join(dir, `a-${name}.bin`);
    writeFileSync(q, buildQuery(name, 'A', { id: 0 }));
    writeFileSync(out, '');
    const args = ['-s', '-k', '--interface', from, '-H', 'content-type: application/dns-message', ...headers.flatMap((h) => ['-H', h]), '--data-binary', `@${q}`, '-o', out, '-w', '%{http_code}', url];
    const { stdout } = await run(curl!, args);
    const status = Number(stdout);
    const reply = status === 200 ? decodePacket(readFileSync(out)) : null;
    return { status, rcode: reply?.ok ? (reply.packet.rcode ?? null) : null };
  };
  const viaNginx = (from: string, name: string, headers: string[] = []) => post(`https://${NGINX_AT}:${nginxPort}/dns-query`, from, name, headers);
  const direct = (from: string, name: string, headers: string[] = []) => post(`http://127.0.0.1:${httpPort}/dns-query`, from, name, headers);
  const loggedClient = (name: string): string | undefined => logs.filter((l) => l.event === 'query' && l.name === name).at(-1)?.client;

  it('takes the client from X-Forwarded-For when nginx (a trusted proxy) relays: the query log names it', async () => {
    expect(await viaNginx('127.0.0.8', 'nas.home.arpa')).toEqual({ status: 200, rcode: 'NOERROR' });
    expect(loggedClient('nas.home.arpa')).toBe('127.0.0.8');
    expect(logs.find((l) => l.event === 'query' && l.name === 'nas.home.arpa')?.transport).toBe('https');
  });

  it('applies deny to the forwarded client, however the client dresses up its own header', async () => {
    expect(await viaNginx('127.0.0.9', 'h0.home.arpa')).toEqual({ status: 200, rcode: 'REFUSED' });
    // nginx appends the real peer: "127.0.0.8, 127.0.0.9"; the right-most untrusted hop is the client.
    expect(await viaNginx('127.0.0.9', 'h1.home.arpa', ['X-Forwarded-For: 127.0.0.8'])).toEqual({ status: 200, rcode: 'REFUSED' });
    expect(loggedClient('h1.home.arpa')).toBe('127.0.0.9');
  });

  it('rate-limits each forwarded client on its own, not the proxy as one client', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await viaNginx('127.0.0.5', 'h2.home.arpa')).status);
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses.slice(2)).toContain(503);
    // Another client behind the same proxy still has its whole burst.
    expect((await viaNginx('127.0.0.6', 'h3.home.arpa')).status).toBe(200);
  });

  it('ignores X-Forwarded-For from a peer that is not in trusted-proxies', async () => {
    expect(await direct('127.0.0.1', 'h4.home.arpa', ['X-Forwarded-For: 127.0.0.9'])).toEqual({ status: 200, rcode: 'NOERROR' });
    expect(loggedClient('h4.home.arpa')).toBe('127.0.0.1');
  });

  it('takes the header straight from a trusted peer (curl standing in for the proxy)', async () => {
    expect(await direct(PROXY, 'h5.home.arpa', ['X-Forwarded-For: 127.0.0.9'])).toEqual({ status: 200, rcode: 'REFUSED' });
    expect(await direct(PROXY, 'h6.home.arpa', ['X-Forwarded-For: 127.0.0.7'])).toEqual({ status: 200, rcode: 'NOERROR' });
    expect(loggedClient('h6.home.arpa')).toBe('127.0.0.7');
  });

  it('serves the same HTTP errors as https-listen', async () => {
    const { stdout } = await run(curl!, ['-s', '-o', '/dev/null', '-w', '%{http_code}', `http://127.0.0.1:${httpPort}/elsewhere`]);
    expect(stdout).toBe('404');
    const bad = await run(curl!, ['-s', '-o', '/dev/null', '-w', '%{http_code}', `http://127.0.0.1:${httpPort}/dns-query?dns=not*base64`]);
    expect(bad.stdout).toBe('400');
  });

  it('counts these queries under https', () => {
    const t = server.pipeline.tallies.queries;
    const via = transportIndex('https');
    expect(t.slice(via * QTYPE_SLOTS, (via + 1) * QTYPE_SLOTS).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(8);
  });

  it('will not serve http-listen without trusted-proxies', async () => {
    const started = startServer({ ...config, listen: ['127.0.0.1:0'], trustedProxies: [] }, { logger: pino({ level: 'silent' }) });
    await expect(started).rejects.toThrow(/'http-listen' .* 'trusted-proxies'/);
    await expect(started).rejects.toSatisfy((e: unknown) => e instanceof RootlineError && e.code === ErrorCode.CONFIG_VALUE);
  });
});
