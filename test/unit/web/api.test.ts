// The dashboard API handlers in-process, over a recording fake control channel: who may call what (401 without
// a session, 403 without the CSRF token, 415 for a form post, 429 past the login limit), input checks (400 and
// nothing sent on), and the control requests each page's action becomes.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ControlReply, ControlRequest } from '../../../src/control/protocol.js';
import { hashPassword, LoginLimiter } from '../../../src/web/auth.js';
import { parseFilter, WebApi, type ApiRequest } from '../../../src/web/api.js';
import { OverviewSampler } from '../../../src/web/overview.js';

const PASSWORD = 'unit test password';
const HASH = await hashPassword(PASSWORD);

function rig(o: { password?: boolean; token?: string; limiter?: LoginLimiter } = {}) {
  const sent: ControlRequest[] = [];
  const control = async (req: ControlRequest): Promise<ControlReply> => {
    sent.push(req);
    if (req.cmd === 'blocklist' && req.path !== '/lists/ads.txt') return { ok: false, error: `no blocklist ${req.path} in the config` };
    return { ok: true, result: { echoed: req.cmd } };
  };
  const logs: { reason?: string; status?: number }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as { reason?: string }) });
  const api = new WebApi({ control, overview: new OverviewSampler(control), passwordHash: o.password === false ? '' : HASH, token: o.token ?? '', logger, ...(o.limiter ? { limiter: o.limiter } : {}) });
  let cookie = '';
  let csrf = '';
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const req: ApiRequest = {
      method,
      path: path.split('?')[0]!,
      query: new URLSearchParams(path.split('?')[1] ?? ''),
      headers: { host: '127.0.0.1:8053', ...(cookie ? { cookie } : {}), ...(body !== undefined ? { 'content-type': 'application/json', 'x-csrf-token': csrf } : {}), ...headers },
      body: body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body),
      remote: '192.0.2.7',
    };
    const r = await api.handle(req);
    const set = r.headers?.['Set-Cookie'];
    if (set) cookie = set.split(';')[0]!;
    const json = r.json as { csrf?: string };
    if (json && typeof json.csrf === 'string') csrf = json.csrf;
    return r;
  };
  const login = async () => {
    await call('GET', '/api/session');
    return call('POST', '/api/login', { password: PASSWORD });
  };
  return { api, sent, logs, call, login, get cookie() { return cookie; }, set cookie(v: string) { cookie = v; }, get csrf() { return csrf; }, set csrf(v: string) { csrf = v; } };
}

describe('WebApi', () => {
  it('answers 401 without a session, and a session before login is not logged in', async () => {
    const r = rig();
    expect(await r.call('GET', '/api/policy')).toMatchObject({ status: 401 });
    const s = await r.call('GET', '/api/session');
    expect(s.json).toMatchObject({ authenticated: false, passwordRequired: true });
    expect(s.headers?.['Set-Cookie']).toMatch(/^rootline_session=[\w-]{32}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=86400$/);
    expect(await r.call('GET', '/api/policy')).toMatchObject({ status: 401 });
    expect(r.sent).toEqual([]);
    expect(r.logs.some((l) => l.status === 401)).toBe(true);
  });

  it('logs in with the right password (a new session id), and refuses a wrong one with 401', async () => {
    const r = rig();
    await r.call('GET', '/api/session');
    const before = r.cookie;
    expect(await r.call('POST', '/api/login', { password: 'nope' })).toEqual({ status: 401, json: { error: 'wrong password' } });
    const ok = await r.call('POST', '/api/login', { password: PASSWORD });
    expect(ok.status).toBe(200);
    expect(r.cookie).not.toBe(before);
    expect(await r.call('GET', '/api/policy')).toEqual({ status: 200, json: { echoed: 'policy' } });
    // The pre-login session is gone: it cannot be used to get in.
    r.cookie = before;
    expect(await r.call('GET', '/api/policy')).toMatchObject({ status: 401 });
  });

  it('a POST without the CSRF token, or with another session\'s, is 403 and sends nothing to the server', async () => {
    const r = rig();
    await r.login();
    const sentBefore = r.sent.length;
    expect(await r.call('POST', '/api/flush', { zone: '.' }, { 'x-csrf-token': '' })).toMatchObject({ status: 403 });
    const other = rig();
    await other.login();
    expect(await r.call('POST', '/api/flush', { zone: '.' }, { 'x-csrf-token': other.csrf })).toMatchObject({ status: 403 });
    expect(await r.call('POST', '/api/flush', 'zone=.', { 'content-type': 'application/x-www-form-urlencoded' })).toMatchObject({ status: 415 });
    expect(await r.call('POST', '/api/flush', { zone: '.' }, { origin: 'http://evil.example' })).toEqual({ status: 403, json: { error: 'cross-origin request' } });
    expect(r.sent.length).toBe(sentBefore);
    expect(await r.call('POST', '/api/flush', { zone: 'Example.COM.' })).toMatchObject({ status: 200 });
    expect(r.sent.at(-1)).toEqual({ cmd: 'flush', target: { zone: 'example.com' } });
  });

  it('GET never changes anything: the actions are POST only', async () => {
    const r = rig();
    await r.login();
    for (const path of ['/api/flush', '/api/trace', '/api/blocklist', '/api/allowlist']) expect((await r.call('GET', `${path}?name=x.com`)).status).toBe(404);
    expect((await r.call('PUT', '/api/flush')).status).toBe(405);
    expect(r.sent).toEqual([]);
  });

  it('checks every input: 400 with a short reason, nothing sent on', async () => {
    const r = rig();
    await r.login();
    const bad: [string, unknown, string][] = [
      ['/api/trace', { name: 'a b' }, 'name: a domain name such as www.example.com'],
      ['/api/trace', { name: 'ok.example', type: 'A;rm' }, 'type: a record type such as A or AAAA'],
      ['/api/trace', { name: `${'a'.repeat(64)}.com` }, 'name: a domain name such as www.example.com'],
      ['/api/flush', { name: 'x.example', type: 7 }, 'type: a record type such as A or AAAA'],
      ['/api/flush', {}, 'name: a domain name such as www.example.com (or give a zone)'],
      ['/api/blocklist', { path: '/lists/ads.txt', enabled: 'no' }, 'send {"path": LIST, "enabled": true|false}'],
      ['/api/allowlist', { name: '' }, 'name: a domain name such as ads.example.com'],
      ['/api/allowlist', '[1,2]', 'the body is not a JSON object'],
      ['/api/allowlist', '{not json', 'the body is not a JSON object'],
    ];
    for (const [path, body, error] of bad) expect([path, await r.call('POST', path, body)]).toEqual([path, { status: 400, json: { error } }]);
    expect((await r.call('GET', '/api/queries?limit=5000')).json).toEqual({ error: 'limit: a whole number from 1 to 1000' });
    expect((await r.call('GET', '/api/queries?rcode=BOGUS')).status).toBe(400);
    expect(r.sent).toEqual([]);
    // The server's own refusal comes back as 400 with its reason.
    expect(await r.call('POST', '/api/blocklist', { path: '/etc/x', enabled: false })).toEqual({ status: 400, json: { error: 'no blocklist /etc/x in the config' } });
  });

  it('turns each action into the control request `rootline ctl` sends', async () => {
    const r = rig();
    await r.login();
    await r.call('POST', '/api/trace', { name: 'start.example.com', type: 'aaaa' });
    await r.call('POST', '/api/flush', { name: 'WWW.Example.com', type: 'a' });
    await r.call('POST', '/api/blocklist', { path: '/lists/ads.txt', enabled: false });
    await r.call('POST', '/api/allowlist', { name: 'ads.example.com' });
    await r.call('GET', '/api/queries?client=192.0.2.1&name=Example&type=aaaa&rcode=nxdomain&blocked=true&cached=false&limit=50');
    expect(r.sent).toEqual([
      { cmd: 'trace', name: 'start.example.com', type: 'AAAA' },
      { cmd: 'flush', target: { name: 'www.example.com', type: 'A' } },
      { cmd: 'blocklist', path: '/lists/ads.txt', enabled: false },
      { cmd: 'allow', name: 'ads.example.com' },
      { cmd: 'queries', filter: { client: '192.0.2.1', name: 'Example', type: 'AAAA', rcode: 3, blocked: true, cached: false }, limit: 50 },
    ]);
  });

  it('rate-limits wrong passwords per address: 429 with Retry-After, even for the right one', async () => {
    let now = 1_000_000;
    const r = rig({ limiter: new LoginLimiter({ failures: 3, windowMs: 60_000, maxAddresses: 100 }, () => now) });
    await r.call('GET', '/api/session');
    for (let i = 0; i < 3; i++) expect((await r.call('POST', '/api/login', { password: `guess${i}` })).status).toBe(401);
    const limited = await r.call('POST', '/api/login', { password: PASSWORD });
    expect(limited.status).toBe(429);
    expect(limited.headers?.['Retry-After']).toBe('60');
    now += 61_000;
    expect((await r.call('POST', '/api/login', { password: PASSWORD })).status).toBe(200);
  });

  it('takes the bearer token instead of a session, without CSRF; a wrong token is nobody', async () => {
    const r = rig({ token: 'x'.repeat(30) });
    expect(await r.call('GET', '/api/servers', undefined, { authorization: `Bearer ${'x'.repeat(30)}` })).toEqual({ status: 200, json: { echoed: 'servers' } });
    expect((await r.call('POST', '/api/flush', { zone: 'example.com' }, { authorization: `Bearer ${'x'.repeat(30)}`, 'x-csrf-token': '' })).status).toBe(200);
    expect((await r.call('GET', '/api/servers', undefined, { authorization: `Bearer ${'y'.repeat(30)}` })).status).toBe(401);
    // No token configured: no bearer gets in.
    expect((await rig().call('GET', '/api/servers', undefined, { authorization: 'Bearer ' })).status).toBe(401);
  });

  it('without a password: a session is logged in at once, but only for a loopback Host (DNS rebinding)', async () => {
    const r = rig({ password: false });
    expect((await r.call('GET', '/api/session')).json).toMatchObject({ authenticated: true, passwordRequired: false });
    expect((await r.call('GET', '/api/policy')).status).toBe(200);
    for (const host of ['evil.example:8053', '127.0.0.1.evil.example', '10.0.0.1:8053']) expect((await r.call('GET', '/api/policy', undefined, { host })).status).toBe(403);
    for (const host of ['localhost:8053', '[::1]:8053', '127.0.0.53']) expect((await r.call('GET', '/api/policy', undefined, { host })).status).toBe(200);
  });
});

describe('parseFilter', () => {
  it('reads the query log filter, with a default limit of 200', () => {
    expect(parseFilter(new URLSearchParams(''))).toEqual({ filter: {}, limit: 200 });
    expect(parseFilter(new URLSearchParams('rcode=dropped&cached=true'))).toEqual({ filter: { rcode: 'dropped', cached: true }, limit: 200 });
    expect(parseFilter(new URLSearchParams('client=<script>'))).toBe('client: an IPv4 or IPv6 address');
    expect(parseFilter(new URLSearchParams('blocked=yes'))).toBe('blocked: true or false');
  });
});
