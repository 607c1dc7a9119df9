// The web dashboard's listener against the built binary over the lab: a start refused beyond loopback without a
// password, login with the scrypt hash `rootline hash-password` prints, 401/403 without a session or a CSRF
// token (and nothing changed), 100 wrong passwords rate-limited, the query log, blocklist and allowlist changes
// through the control channel (kept over a reload, applied by every worker), /metrics on the same listener.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_PATH, freeUdpTcpPort, runCli, spawnCli } from '../helpers/cli.js';
import { ask, datas, edeOf } from '../helpers/client.js';
import { useLabRig } from '../helpers/lab-rig.js';

const LAB_PREFIX = '127.81';
const SERVE_ADDR = '127.81.9.1';
const PASSWORD = 'correct horse battery';
const TOKEN = 'a-token-for-scripts-0123456789';

const rig = useLabRig(LAB_PREFIX);

/** `rootline hash-password` with the password on stdin, as a script would run it. */
function hashPassword(password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, 'hash-password'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`hash-password exited ${code}`))));
    child.stdin.end(`${password}\n`);
  });
}

interface Web {
  base: string;
  port: number;
  config: string;
  socket: string;
  q(name: string, type?: string): ReturnType<typeof ask>;
  ctl(...args: string[]): ReturnType<typeof runCli>;
}

async function serve(name: string, lines: string[], extra: string[] = []): Promise<Web> {
  const port = await freeUdpTcpPort([SERVE_ADDR]);
  const webPort = await freeUdpTcpPort([SERVE_ADDR]);
  const config = join(rig.dir, `${name}.yaml`);
  const socket = join(rig.dir, `${name}.sock`);
  writeFileSync(config, ['root-hints: named.root', 'dnssec-validation: false', `upstream-port: ${rig.port}`, `listen: ["${SERVE_ADDR}:${port}"]`, `control-socket: ${socket}`, 'log-format: json', `web-listen: ${SERVE_ADDR}:${webPort}`, ...lines, ''].join('\n'));
  const p = spawnCli(['serve', '--config', config, ...extra]);
  await p.waitForOutput(/"event":"web_listening"/, 15000);
  await p.waitForOutput(/"event":"listening"/, 15000);
  return {
    base: `http://${SERVE_ADDR}:${webPort}`,
    port: webPort,
    config,
    socket,
    q: (n, type = 'A') => ask(SERVE_ADDR, port, n, type, { edns: true, timeoutMs: 3000 }),
    ctl: (...args) => runCli(['ctl', ...args, '--control', socket]),
  };
}

/** A browser-like client: keeps the session cookie and sends the CSRF token it was given. */
class Client {
  cookie = '';
  csrf = '';
  constructor(private readonly base: string) {}

  async req(method: string, path: string, body?: unknown, o: { csrf?: boolean; headers?: Record<string, string> } = {}): Promise<{ status: number; json: Record<string, unknown> & unknown[] }> {
    const headers: Record<string, string> = { ...(this.cookie ? { cookie: this.cookie } : {}), ...o.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (body !== undefined && o.csrf !== false) headers['x-csrf-token'] = this.csrf;
    const res = await fetch(this.base + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0]!;
    return { status: res.status, json: (await res.json()) as Record<string, unknown> & unknown[] };
  }

  async session(): Promise<void> {
    const s = await this.req('GET', '/api/session');
    this.csrf = s.json.csrf as string;
  }

  async login(password: string): Promise<number> {
    if (!this.csrf) await this.session();
    const r = await this.req('POST', '/api/login', { password });
    if (r.status === 200) this.csrf = r.json.csrf as string;
    return r.status;
  }
}

describe('the web dashboard listener', () => {
  it('refuses to start beyond loopback without a password, in one line naming web-password', async () => {
    const port = await freeUdpTcpPort([SERVE_ADDR]);
    const r = await runCli(['serve', '--root-hints', rig.hints, '--no-dnssec-validation', '--upstream-port', String(rig.port), '--listen', `${SERVE_ADDR}:${port}`, '--control-socket', 'off', '--web-listen', `0.0.0.0:${port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/refusing to serve the dashboard on 0\.0\.0\.0:\d+ without a password: set 'web-password'/);
    // The same from the config file: check-config says so before any start.
    const config = join(rig.dir, 'open.yaml');
    writeFileSync(config, `web-listen: "[::]:${port}"\n`);
    const check = await runCli(['check-config', config]);
    expect(check.code).not.toBe(0);
    expect(check.stderr).toMatch(/without a password/);
    writeFileSync(config, `web-listen: 127.0.0.1:${port}\nweb-password: hunter2\n`);
    expect((await runCli(['check-config', config])).stderr).toMatch(/'web-password' is not a scrypt hash: run `rootline hash-password`/);
  }, 20_000);

  it('logs in with the hashed password; no session → 401, no CSRF token → 403 and nothing flushed', async () => {
    const hash = await hashPassword(PASSWORD);
    expect(hash).toMatch(/^\$scrypt\$ln=14,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    const s = await serve('auth', [`web-password: '${hash}'`, `web-token: ${TOKEN}`]);
    const page = await fetch(`${s.base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'self'/);
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
    expect(await page.text()).toContain('<script src="/app.js" defer></script>');

    const anon = new Client(s.base);
    expect((await anon.req('GET', '/api/overview')).status).toBe(401);
    await anon.session();
    expect((await anon.req('GET', '/api/overview')).status).toBe(401); // a session, not logged in
    expect(await anon.login('wrong one')).toBe(401);
    const sessionBefore = anon.cookie;
    expect(await anon.login(PASSWORD)).toBe(200);
    expect(anon.cookie).not.toBe(sessionBefore); // a new session id after login
    const overview = await anon.req('GET', '/api/overview');
    expect(overview.status).toBe(200);
    expect(overview.json.queries).toBe(0);

    for (let i = 0; i < 3; i++) expect(datas(await s.q('www.example.com'))).toEqual(['192.0.2.80']);
    const rrsets = async (): Promise<number> => (JSON.parse((await s.ctl('status', '--json')).stdout) as { cache: { rrsets: number } }).cache.rrsets;
    const cached = await rrsets();
    expect(cached).toBeGreaterThan(0);
    const noCsrf = await anon.req('POST', '/api/flush', { zone: '.' }, { csrf: false });
    expect(noCsrf).toEqual({ status: 403, json: { error: 'missing or wrong CSRF token: reload the page' } });
    const wrongCsrf = await anon.req('POST', '/api/flush', { zone: '.' }, { csrf: false, headers: { 'x-csrf-token': 'x'.repeat(32) } });
    expect(wrongCsrf.status).toBe(403);
    const noSession = await new Client(s.base).req('POST', '/api/flush', { zone: '.' }, { headers: { 'x-csrf-token': anon.csrf } });
    expect(noSession.status).toBe(401);
    expect(await rrsets()).toBe(cached); // nothing changed
    const form = await fetch(`${s.base}/api/flush`, { method: 'POST', headers: { cookie: anon.cookie, 'x-csrf-token': anon.csrf, 'content-type': 'application/x-www-form-urlencoded' }, body: 'zone=.' });
    expect(form.status).toBe(415);
    const bad = await anon.req('POST', '/api/flush', { name: 'not a name!' });
    expect(bad).toEqual({ status: 400, json: { error: 'name: a domain name such as www.example.com (or give a zone)' } });
    const huge = await anon.req('POST', '/api/trace', { name: 'x'.repeat(20_000) });
    expect(huge.status).toBe(413);
    expect(await rrsets()).toBe(cached);

    const flushed = await anon.req('POST', '/api/flush', { name: 'www.example.com' });
    expect(flushed.status).toBe(200);
    expect(flushed.json.rrsets).toBeGreaterThan(0);
    const upstream = rig.upstreamQueries();
    await s.q('www.example.com');
    expect(rig.upstreamQueries()).toBeGreaterThan(upstream);

    // Scripts: the bearer token, no cookie and no CSRF token; a wrong token is nobody.
    const script = await fetch(`${s.base}/api/queries?name=example&limit=3`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(script.status).toBe(200);
    const rows = (await script.json()) as { name: string; cached: boolean }[];
    expect(rows.length).toBe(3);
    expect(rows[0]!.cached).toBe(false); // the query after the flush went upstream
    expect(rows[1]!.cached).toBe(true);
    expect(rows.every((r) => r.name.includes('example'))).toBe(true);
    expect((await fetch(`${s.base}/api/queries`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    // Errors never carry a stack.
    const unknown = await anon.req('GET', '/api/nothing');
    expect(unknown).toEqual({ status: 404, json: { error: 'no such API' } });
    expect((await anon.req('POST', '/api/logout', {})).status).toBe(200);
    expect((await anon.req('GET', '/api/overview')).status).toBe(401);
  }, 30_000);

  it('100 wrong passwords from one address: refused with 429 after the first ten, even the right one', async () => {
    const hash = await hashPassword(PASSWORD);
    const s = await serve('ratelimit', [`web-password: '${hash}'`]);
    const c = new Client(s.base);
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push(await c.login(`guess ${i}`));
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10).every((x) => x === 429)).toBe(true);
    expect(await c.login(PASSWORD)).toBe(429);
  }, 60_000);

  it('a loopback dashboard without a password opens at once, and only to a loopback Host', async () => {
    const s = await serve('open', []);
    const c = new Client(s.base);
    await c.session();
    expect((await c.req('GET', '/api/overview')).status).toBe(200);
    // A page elsewhere pointing its own name at us (DNS rebinding) gets nothing.
    const rebound = await new Promise<number>((resolve, reject) => {
      const r = http.get({ host: SERVE_ADDR, port: s.port, path: '/api/session', headers: { host: `evil.example:${s.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      r.on('error', reject);
    });
    expect(rebound).toBe(403);
  }, 20_000);

  for (const workers of [1, 2]) {
    it(`query log, blocklist off/on and allowlist through the control channel (${workers} worker${workers > 1 ? 's' : ''}), kept over a reload`, async () => {
      const list = join(rig.dir, `ads${workers}.txt`);
      writeFileSync(list, '# test list\nwww.glueless.org\nmail.example.com\n');
      const s = await serve(`policy${workers}`, [`blocklists: [${list}]`, 'blocklist-mode: nxdomain', 'metrics-listen: 127.0.0.1:0'], workers > 1 ? ['--workers', String(workers)] : []);
      const c = new Client(s.base);
      await c.session();
      const blocked = await s.q('www.glueless.org');
      expect(blocked.rcode).toBe('NXDOMAIN');
      expect(edeOf(blocked)?.text).toBe(`blocked by ${list} line 2: www.glueless.org`);
      const log = await c.req('GET', '/api/queries?blocked=true');
      expect(log.status).toBe(200);
      expect(log.json[0]).toMatchObject({ name: 'www.glueless.org', type: 'A', rcode: 3, policy: 'blocklist', ede: `15 blocked by ${list} line 2: www.glueless.org` });
      const policy = await c.req('GET', '/api/policy');
      expect(policy.json).toMatchObject({ mode: 'nxdomain', blockedNames: 2, lists: [{ path: list, enabled: true, rules: 2, bad: 0 }] });

      expect((await c.req('POST', '/api/blocklist', { path: list, enabled: false })).status).toBe(200);
      // Every worker switched: each of several queries resolves.
      for (let i = 0; i < 4; i++) expect(datas(await s.q('www.glueless.org'))).toEqual(['203.0.113.99']);
      expect((await s.ctl('reload')).code).toBe(0);
      expect((await c.req('GET', '/api/policy')).json).toMatchObject({ lists: [{ path: list, enabled: false, rules: null }] });
      for (let i = 0; i < 4; i++) expect(datas(await s.q('www.glueless.org'))).toEqual(['203.0.113.99']);
      expect((await c.req('POST', '/api/blocklist', { path: list, enabled: true })).status).toBe(200);
      expect((await s.q('mail.example.com')).rcode).toBe('NXDOMAIN');
      const allowed = await c.req('POST', '/api/allowlist', { name: 'mail.example.com' });
      expect(allowed).toEqual({ status: 200, json: { name: 'mail.example.com', added: true } });
      for (let i = 0; i < 4; i++) expect(datas(await s.q('mail.example.com'))).toEqual(['192.0.2.25']);
      expect((await s.q('www.glueless.org')).rcode).toBe('NXDOMAIN');
      expect((await c.req('POST', '/api/blocklist', { path: '/etc/other.txt', enabled: false })).json.error).toMatch(/^no blocklist \/etc\/other\.txt in the config/);
      const queries = (await c.req('GET', '/api/queries?limit=1000')).json as unknown as { time: number }[];
      expect(queries.length).toBe(1 + 4 + 4 + 1 + 4 + 1);
      expect(queries.map((q) => q.time)).toEqual([...queries.map((q) => q.time)].sort((a, b) => b - a));
      // /metrics on the same listener (summed over workers).
      const metrics = await fetch(`${s.base}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/^rootline_blocked_queries_total [2-9]$/m);
    }, 40_000);
  }
});
