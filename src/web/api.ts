// The dashboard's JSON API, free of HTTP plumbing (server.ts adapts node:http to it, tests call it directly):
// who is asking (session cookie or bearer token), the CSRF check on every POST, input checks, and the same
// control requests `rootline ctl` sends. Errors are a status and a short JSON {error}; nothing else leaks.
import type { ControlRequest } from '../control/protocol.js';
import { MAX_QUERY_ROWS } from '../control/protocol.js';
import type { Logger } from '../log.js';
import type { QueryFilter } from '../observe/query-ring.js';
import { canonical } from '../wire/names.js';
import { RCODE_BY_NAME } from '../wire/types.js';
import { LoginLimiter, sameSecret, Sessions, verifyPassword, type Session } from './auth.js';
import type { Control, OverviewSampler } from './overview.js';

export interface ApiRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: Readonly<Record<string, string | undefined>>;
  /** The request body as text (POST), '' when none. */
  body: string;
  /** The client's address (for the login limit and the logs). */
  remote: string;
}

export interface ApiResponse {
  status: number;
  json: unknown;
  headers?: Record<string, string>;
}

export interface ApiDeps {
  control: Control;
  overview: OverviewSampler;
  /** scrypt hash from web-password; '' = no password (the listener is on loopback). */
  passwordHash: string;
  /** web-token; '' = none. */
  token: string;
  logger: Logger;
  sessions?: Sessions;
  limiter?: LoginLimiter;
  /** Password checks in flight at once: each costs ~50 ms of CPU, so a flood must not queue up more. */
  maxVerifying?: number;
}

export const SESSION_COOKIE = 'rootline_session';
export const CSRF_HEADER = 'x-csrf-token';
const DEFAULT_ROWS = 200;

/** Who a request is from: a session (cookie) or a script (bearer token). */
export type Caller = { kind: 'session'; session: Session } | { kind: 'token' };

const fail = (status: number, error: string, headers?: Record<string, string>): ApiResponse => ({ status, json: { error }, ...(headers ? { headers } : {}) });

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function sessionCookie(id: string): string {
  return `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=86400`;
}

/** A host part of a Host header that is loopback: 127.x, [::1] or localhost. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const h = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

const NAME = /^(?=.{1,253}\.?$)([A-Za-z0-9_*](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;
const TYPE = /^[A-Za-z][A-Za-z0-9]{0,9}$/;

export function validName(name: unknown): name is string {
  return typeof name === 'string' && (name === '.' || NAME.test(name));
}

function parseBody(body: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(body);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The query log's filter from the URL; a string says what is wrong. */
export function parseFilter(q: URLSearchParams): { filter: QueryFilter; limit: number } | string {
  const filter: QueryFilter = {};
  const client = q.get('client')?.trim();
  if (client) {
    if (!/^[0-9A-Fa-f:.]{2,45}$/.test(client)) return 'client: an IPv4 or IPv6 address';
    filter.client = client;
  }
  const name = q.get('name')?.trim();
  if (name) {
    if (name.length > 253 || !/^[A-Za-z0-9_.*-]+$/.test(name)) return 'name: letters, digits, dots, - and _';
    filter.name = name;
  }
  const type = q.get('type')?.trim();
  if (type) {
    if (!TYPE.test(type)) return 'type: a record type such as A or AAAA';
    filter.type = type.toUpperCase();
  }
  const rcode = q.get('rcode')?.trim();
  if (rcode) {
    const upper = rcode.toUpperCase();
    if (upper === 'DROPPED') filter.rcode = 'dropped';
    else if (RCODE_BY_NAME[upper] !== undefined) filter.rcode = RCODE_BY_NAME[upper];
    else return `rcode: one of ${Object.keys(RCODE_BY_NAME).join(', ')} or dropped`;
  }
  for (const key of ['blocked', 'cached'] as const) {
    const v = q.get(key);
    if (v === null || v === '') continue;
    if (v !== 'true' && v !== 'false') return `${key}: true or false`;
    filter[key] = v === 'true';
  }
  const limitText = q.get('limit');
  const limit = limitText ? Number(limitText) : DEFAULT_ROWS;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_QUERY_ROWS) return `limit: a whole number from 1 to ${MAX_QUERY_ROWS}`;
  return { filter, limit };
}

export class WebApi {
  readonly sessions: Sessions;
  readonly limiter: LoginLimiter;
  private verifying = 0;

  constructor(private readonly d: ApiDeps) {
    this.sessions = d.sessions ?? new Sessions();
    this.limiter = d.limiter ?? new LoginLimiter();
  }

  get passwordRequired(): boolean {
    return this.d.passwordHash !== '';
  }

  /** The caller when it may use the API (a logged-in session, or the bearer token), else null. */
  caller(req: ApiRequest): Caller | null {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) return this.d.token !== '' && sameSecret(auth.slice(7).trim(), this.d.token) ? { kind: 'token' } : null;
    const session = this.sessions.get(cookieValue(req.headers.cookie, SESSION_COOKIE));
    return session?.authenticated ? { kind: 'session', session } : null;
  }

  private deny(req: ApiRequest, status: number, reason: string, headers?: Record<string, string>): ApiResponse {
    this.d.logger.warn({ event: 'web_denied', status, reason, client: req.remote, method: req.method, path: req.path }, 'web_denied');
    return fail(status, reason, headers);
  }

  /**
   * Without a password, only a loopback Host is served: a web page elsewhere cannot reach the dashboard by
   * pointing its own name at 127.0.0.1 (DNS rebinding).
   */
  hostError(req: ApiRequest): string | null {
    return !this.passwordRequired && !isLoopbackHost(req.headers.host) ? 'the dashboard has no password, so it answers only to a loopback address (http://127.0.0.1:PORT/)' : null;
  }

  async handle(req: ApiRequest): Promise<ApiResponse> {
    const hostError = this.hostError(req);
    if (hostError) return this.deny(req, 403, hostError);
    if (req.method === 'POST') {
      const refused = this.checkPost(req);
      if (refused) return refused;
    } else if (req.method !== 'GET') {
      return fail(405, 'GET or POST only', { Allow: 'GET, POST' });
    }
    const route = `${req.method} ${req.path}`;
    if (route === 'GET /api/session') return this.session(req);
    if (route === 'POST /api/login') return this.login(req);
    if (route === 'POST /api/logout') return this.logout(req);
    if (!ROUTES.has(route)) return fail(404, 'no such API');
    if (!this.caller(req)) return this.deny(req, 401, 'log in first (or send the web-token as a bearer token)');
    try {
      return await this.route(route, req);
    } catch (e) {
      this.d.logger.error({ event: 'web_error', path: req.path, err: e }, 'web_error');
      return fail(503, 'the server did not answer in time');
    }
  }

  /**
   * A POST must be JSON (a cross-site form cannot send that without a CORS preflight, which we never allow),
   * from our own origin when the browser says, and carry the session's CSRF token (the bearer token needs none:
   * a browser never adds it by itself).
   */
  private checkPost(req: ApiRequest): ApiResponse | null {
    if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) return this.deny(req, 415, 'send JSON (Content-Type: application/json)');
    const origin = req.headers.origin;
    if (origin && origin !== 'null' && origin.replace(/^https?:\/\//, '') !== req.headers.host) return this.deny(req, 403, 'cross-origin request');
    if (req.headers.authorization?.startsWith('Bearer ')) return null;
    const session = this.sessions.get(cookieValue(req.headers.cookie, SESSION_COOKIE));
    const csrf = req.headers[CSRF_HEADER];
    if (!session) return this.deny(req, 401, 'no session: reload the page');
    if (!csrf || !sameSecret(csrf, session.csrf)) return this.deny(req, 403, 'missing or wrong CSRF token: reload the page');
    return null;
  }

  private session(req: ApiRequest): ApiResponse {
    const found = this.sessions.get(cookieValue(req.headers.cookie, SESSION_COOKIE));
    const s = found ?? this.sessions.create(!this.passwordRequired);
    return {
      status: 200,
      json: { authenticated: s.authenticated, csrf: s.csrf, passwordRequired: this.passwordRequired },
      ...(found ? {} : { headers: { 'Set-Cookie': sessionCookie(s.id) } }),
    };
  }

  private async login(req: ApiRequest): Promise<ApiResponse> {
    const wait = this.limiter.retryAfter(req.remote);
    if (wait > 0) return this.deny(req, 429, `too many wrong passwords: try again in ${wait} s`, { 'Retry-After': String(wait) });
    const body = parseBody(req.body);
    if (!body || typeof body.password !== 'string' || body.password.length > 1024) return this.deny(req, 400, 'send {"password": "..."}');
    if (!this.passwordRequired) return fail(400, 'no password is set: the dashboard is open on loopback');
    if (this.verifying >= (this.d.maxVerifying ?? 2)) return this.deny(req, 429, 'busy checking other passwords: try again', { 'Retry-After': '1' });
    this.verifying++;
    let right: boolean;
    try {
      right = await verifyPassword(body.password, this.d.passwordHash);
    } finally {
      this.verifying--;
    }
    if (!right) {
      this.limiter.fail(req.remote);
      return this.deny(req, 401, 'wrong password');
    }
    this.limiter.succeed(req.remote);
    // A new id once logged in: a session id planted before the login is worth nothing after it.
    const old = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (old) this.sessions.end(old);
    const s = this.sessions.create(true);
    this.d.logger.info({ event: 'web_login', client: req.remote }, 'web_login');
    return { status: 200, json: { authenticated: true, csrf: s.csrf }, headers: { 'Set-Cookie': sessionCookie(s.id) } };
  }

  private logout(req: ApiRequest): ApiResponse {
    const id = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (id) this.sessions.end(id);
    return { status: 200, json: { authenticated: false }, headers: { 'Set-Cookie': `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0` } };
  }

  /** One control request; its refusal is the client's problem (400) with the server's one-line reason. */
  private async ctl(req: ControlRequest): Promise<ApiResponse> {
    const reply = await this.d.control(req);
    return reply.ok ? { status: 200, json: reply.result } : fail(400, reply.error);
  }

  private async route(route: string, req: ApiRequest): Promise<ApiResponse> {
    switch (route) {
      case 'GET /api/overview':
        return { status: 200, json: await this.d.overview.current() };
      case 'GET /api/queries': {
        const parsed = parseFilter(req.query);
        if (typeof parsed === 'string') return fail(400, parsed);
        return this.ctl({ cmd: 'queries', ...parsed });
      }
      case 'GET /api/servers':
        return this.ctl({ cmd: 'servers' });
      case 'GET /api/policy':
        return this.ctl({ cmd: 'policy' });
      default:
        return this.post(route, req);
    }
  }

  private async post(route: string, req: ApiRequest): Promise<ApiResponse> {
    const body = parseBody(req.body);
    if (!body) return this.deny(req, 400, 'the body is not a JSON object');
    switch (route) {
      case 'POST /api/trace': {
        const type = body.type === undefined ? 'A' : body.type;
        if (!validName(body.name)) return fail(400, 'name: a domain name such as www.example.com');
        if (typeof type !== 'string' || !TYPE.test(type)) return fail(400, 'type: a record type such as A or AAAA');
        return this.ctl({ cmd: 'trace', name: body.name, type: type.toUpperCase() });
      }
      case 'POST /api/flush': {
        if (body.zone !== undefined) {
          if (!validName(body.zone)) return fail(400, 'zone: a domain name such as example.com');
          return this.ctl({ cmd: 'flush', target: { zone: canonical(body.zone) } });
        }
        if (!validName(body.name)) return fail(400, 'name: a domain name such as www.example.com (or give a zone)');
        if (body.type !== undefined && body.type !== '' && (typeof body.type !== 'string' || !TYPE.test(body.type))) return fail(400, 'type: a record type such as A or AAAA');
        const type = typeof body.type === 'string' && body.type !== '' ? body.type.toUpperCase() : undefined;
        return this.ctl({ cmd: 'flush', target: { name: canonical(body.name), ...(type ? { type } : {}) } });
      }
      case 'POST /api/blocklist':
        if (typeof body.path !== 'string' || body.path.length > 4096 || typeof body.enabled !== 'boolean') return fail(400, 'send {"path": LIST, "enabled": true|false}');
        return this.ctl({ cmd: 'blocklist', path: body.path, enabled: body.enabled });
      case 'POST /api/allowlist':
        if (!validName(body.name)) return fail(400, 'name: a domain name such as ads.example.com');
        return this.ctl({ cmd: 'allow', name: body.name });
      default:
        return fail(404, 'no such API');
    }
  }
}

const ROUTES = new Set(['GET /api/overview', 'GET /api/queries', 'GET /api/servers', 'GET /api/policy', 'POST /api/trace', 'POST /api/flush', 'POST /api/blocklist', 'POST /api/allowlist']);
