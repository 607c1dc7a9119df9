// The settings rootline understands: their types, defaults and one-line docs. The YAML config file, the CLI
// flags and the README's configuration reference all follow this table.

export type RotateMode = 'rotate' | 'random' | 'fixed';
export type LogFormat = 'json' | 'pretty' | 'auto';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** Unbound's local-zone types: how names in the zone without local data of their own are answered. */
export type LocalZoneType = 'static' | 'transparent' | 'redirect' | 'refuse' | 'deny' | 'nodefault';

export interface LocalZoneRule {
  /** Canonical zone name. */
  name: string;
  type: LocalZoneType;
}

/** One server of a forward or stub zone: an address, port 53 unless given. */
export interface ZoneServer {
  address: string;
  port: number;
}

/** DNS over TLS to a forward zone's servers: the certificate's name, an SPKI pin, a CA file ('' each: not set). */
export interface ZoneTls {
  name: string;
  pin: string;
  ca: string;
  /**
   * tls-fallback: plain — when TLS to a server fails, plain DNS to the same address on `port` (over TCP only when
   * the zone says tcp). Absent: tls-fallback: none, TLS or nothing.
   */
  plain?: { port: number; tcp: boolean };
}

/** A `forward-zones:` or `stub-zones:` entry, checked by the loader. */
export interface ZoneEntry {
  /** Canonical zone name ('.' forwards everything). */
  name: string;
  servers: ZoneServer[];
  /** When every server fails: resolve from the root instead (Unbound's forward-first / stub-first), or SERVFAIL. */
  fallback: 'recurse' | 'servfail';
  /** Ask these servers over TCP only (RFC 7766), e.g. through a firewall that drops UDP. */
  tcp: boolean;
  /** Ask these servers over TLS only (RFC 7858), never in the clear. */
  tls?: ZoneTls;
}

export interface Config {
  /** Addresses to serve on, "ADDR:PORT" or "[V6]:PORT". */
  listen: string[];
  /** Drop to this user (name or uid) after binding; '' = stay as started. */
  user: string;
  /** Drop to this group (name or gid) with user; '' = the user's primary group. */
  group: string;
  /** Root hints file (named.root format). */
  rootHints: string;
  /** DNSSEC validation (RFC 4033–4035): on by default. */
  dnssecValidation: boolean;
  /** Trust anchors: DS or DNSKEY lines in zone-file form; '' = the bundled root anchors. */
  trustAnchorFile: string;
  /** Trust anchors given inline, one record per entry (labs, private roots); added to the file's. */
  trustAnchors: string[];
  /** RFC 5011 state file: trust anchors follow the zone's key rollovers; '' = off. */
  trustAnchorState: string;
  /** Seconds bogus data is cached (never served as secure; answers SERVFAIL unless CD=1). */
  bogusTtl: number;
  /** RFC 8198: answer NXDOMAIN/NODATA from cached, validated NSEC ranges. */
  aggressiveNsec: boolean;
  /** Negative trust anchors (RFC 7646): names at and below these are not validated (insecure). */
  domainInsecure: string[];
  /** Most RRsets (and negative entries) kept in cache. */
  cacheSize: number;
  /** Memory for all the caches together, MB (estimated bytes, split between them). */
  cacheMemory: number;
  /** Upper bound on any cached TTL, seconds. */
  maxTtl: number;
  /** Lower bound on any cached TTL, seconds. */
  minTtl: number;
  /** Upper bound on a cached negative answer, seconds (RFC 2308 §5). */
  maxNegativeTtl: number;
  /** Order of A/AAAA records in answers. */
  rrsetOrder: RotateMode;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** One log line per client query. */
  queryLog: boolean;
  /** Warm restart: the caches are loaded from this file at start and written to it at a graceful stop; '' = none. */
  cacheFile: string;
  /** The control socket for `rootline ctl`: a path, 'auto' (/run/rootline/control.sock, else next to the config file) or 'off'. */
  controlSocket: string;
  /** Processes serving the same sockets (node:cluster), or 'auto' for one per core. */
  workers: number | 'auto';
  /** Log aggregated counters every this many seconds (0: only at shutdown). */
  statsInterval: number;
  /** The RFC 6761/6303/8375 zones on (true) or off (false), or on with these rules added (Unbound's local-zone). */
  localZones: boolean | LocalZoneRule[];
  /** Records served locally with AA, in zone-file form ("nas.lan. 300 IN A 192.168.1.10"); checked by the loader. */
  localData: string[];
  /** /etc/hosts-style files served as local data (absolute, or relative to the config file once loaded). */
  hostsFiles: string[];
  /** Zones whose questions go to a recursive resolver (RD=1), e.g. the LAN domain to the home router. */
  forwardZones: ZoneEntry[];
  /** Zones iterated from the given authoritative servers instead of from the root (RD=0). */
  stubZones: ZoneEntry[];
  /** Clients that may ask CHAOS questions: version.bind, and a name's journey (CIDR). */
  debugClients: string[];
  /** What hostname.bind / id.server answer; '' = the host name. */
  identity: string;
  /** Client networks allowed to query (CIDR). */
  allow: string[];
  /** Client networks refused even inside allow (CIDR); deny wins. */
  deny: string[];
  /** Queries per second per client (IPv6: per /56); 0 = no limit. */
  ratelimit: number;
  /** Queries a client may send at once. */
  ratelimitBurst: number;
  /** Over the limit: drop, or answer TC=1 over UDP. */
  ratelimitAction: 'drop' | 'truncate';
  /** Clients never rate-limited (CIDR). */
  ratelimitExempt: string[];
  /** Load balancers (CIDR) that must send a PROXY v2 header; its address is then the client. */
  proxyProtocolFrom: string[];
  /** What clients outside the ACL get: REFUSED, or nothing. */
  outsideClients: 'refuse' | 'drop';
  /** Blocklist files (hosts, plain domains or adblock `||name^`), absolute paths once loaded. */
  blocklists: string[];
  /** Names (and everything below them) never blocked. */
  allowlist: string[];
  /** Rebinding guard: networks (CIDR, or 'default' for the private ranges) removed from answers; [] = off. */
  privateAddresses: string[];
  /** Names (and below) whose answers may point into privateAddresses: RFC 8375 home.arpa and the usual LAN suffixes. */
  privateDomains: string[];
  /** What a blocked query gets. */
  blocklistMode: 'null-ip' | 'nxdomain' | 'nodata' | 'refuse';
  /** Total time budget for one client query, ms. */
  queryTimeoutMs: number;
  /** Per-try upstream timeout, ms. */
  upstreamTimeoutMs: number;
  /** Longest CNAME chain followed. */
  maxCnameChain: number;
  /** Most NS-name side resolutions one client query may start. */
  maxNsLookups: number;
  maxSubqueryDepth: number;
  /** Most upstream queries one client query may send. */
  maxUpstreamQueries: number;
  /** RFC 8767 serve-stale: answer from expired cache when resolution fails or is slow. */
  serveStale: boolean;
  /** How long after expiry data may still be served stale, seconds. */
  staleWindow: number;
  /** Client-response timer: answer stale data after this long if resolution is still running, ms. */
  staleAnswerTimeoutMs: number;
  /** Refresh cached RRsets asked for in the last 10% of their TTL, and popular delegations, in the background. */
  prefetch: boolean;
  /** Hedged queries: a second server of a zone asked when the first is slower than its expected RTT. */
  hedgedQueries: boolean;
  /** RFC 8914 Extended DNS Errors on SERVFAIL and stale answers to EDNS clients. */
  ede: boolean;
  /** RFC 9156 QNAME minimisation (relaxed: falls back to the full name for servers that get it wrong). */
  qnameMinimisation: boolean;
  /** 0x20: randomise the letter case of upstream query names (per-server fallback when not preserved). */
  caseRandomisation: boolean;
  /** Never ask loopback addresses learnt from delegations, unless the root hints are on loopback (a lab). */
  doNotQueryLocalhost: boolean;
  /** Referrals followed for one name. */
  maxReferrals: number;
  /** Most records accepted in one RRset from upstream (a larger one makes the reply unusable). */
  maxRrsetSize: number;
  /** Most upstream queries in flight at once, in total. */
  maxOutstanding: number;
  /** Most upstream queries in flight at once to the servers of one zone. */
  maxOutstandingPerZone: number;
  /** Most client queries being resolved at once; further ones are dropped. */
  maxClientQueries: number;
  /** Use IPv6 upstream addresses (false, true, or 'auto' = when the host has a route). */
  ipv6Upstream: 'auto' | boolean;
  /** Port of upstream (authoritative) servers: 53 on the internet; another for a lab on loopback. */
  upstreamPort: number;
  /** TCP: idle time before a client connection is closed, ms (RFC 7766 §6.2.3). */
  tcpIdleTimeoutMs: number;
  /** TCP: most concurrent client connections. */
  tcpMaxConnections: number;
  /** HTTP address for /metrics (Prometheus) and /stats (JSON), "ADDR:PORT"; '' = off. */
  metricsListen: string;
  /** Let metricsListen be an address other than loopback (the endpoint has no authentication). */
  metricsAllowRemote: boolean;
  /** The web dashboard's HTTP address, "ADDR:PORT"; '' = off. */
  webListen: string;
  /** scrypt hash of the dashboard password (web/auth.ts); '' = none (loopback only). */
  webPassword: string;
  /** Bearer token for scripts using the dashboard API; '' = none. */
  webToken: string;
  /** Entries in the dashboard's query-log ring buffer. */
  webQueryLogSize: number;
  /** DNS over TLS (RFC 7858) addresses, port 853 unless given; [] = off. Needs tlsCertificate. */
  tlsListen: string[];
  /** DNS over HTTPS (RFC 8484) addresses, port 443 unless given; [] = off. Needs tlsCertificate. */
  httpsListen: string[];
  /** The DoH URI path. */
  httpsPath: string;
  /** Plaintext HTTP/1.1 DoH addresses for a local reverse proxy, port 80 unless given; [] = off. Needs trustedProxies. */
  httpListen: string[];
  /** Peers (CIDR) on http-listen whose X-Forwarded-For names the client. */
  trustedProxies: string[];
  /** PEM certificate chains for DoT and DoH (absolute paths once loaded); the first is the default, the others by SNI. */
  tlsCertificate: string[];
  /** PEM private keys, one per tlsCertificate, in the same order. */
  tlsKey: string[];
}

/** Loopback and the private ranges (RFC 1918, RFC 4193, link-local): not an open resolver by default. */
export const DEFAULT_ALLOW = [
  '127.0.0.0/8',
  '::1/128',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '169.254.0.0/16',
  'fc00::/7',
  'fe80::/10',
];

export const DEFAULTS: Config = {
  listen: ['127.0.0.1:53', '[::1]:53'],
  user: '',
  group: '',
  rootHints: '',
  dnssecValidation: true,
  trustAnchorFile: '',
  trustAnchors: [],
  bogusTtl: 60,
  trustAnchorState: '',
  domainInsecure: [],
  aggressiveNsec: true,
  cacheSize: 100_000,
  cacheMemory: 64,
  maxTtl: 86_400,
  minTtl: 0,
  maxNegativeTtl: 3_600,
  rrsetOrder: 'rotate',
  logLevel: 'info',
  logFormat: 'auto',
  queryLog: false,
  controlSocket: 'auto',
  cacheFile: '',
  workers: 1,
  statsInterval: 0,
  localZones: true,
  localData: [],
  hostsFiles: [],
  forwardZones: [],
  stubZones: [],
  debugClients: ['127.0.0.0/8', '::1/128'],
  identity: '',
  allow: DEFAULT_ALLOW,
  deny: [],
  outsideClients: 'refuse',
  ratelimit: 0,
  ratelimitBurst: 200,
  ratelimitAction: 'drop',
  ratelimitExempt: ['127.0.0.0/8', '::1/128'],
  proxyProtocolFrom: [],
  privateAddresses: [],
  privateDomains: ['home.arpa', 'local', 'lan', 'internal'],
  blocklists: [],
  allowlist: [],
  blocklistMode: 'null-ip',
  queryTimeoutMs: 4_000,
  upstreamTimeoutMs: 800,
  maxCnameChain: 12,
  maxNsLookups: 8,
  maxSubqueryDepth: 6,
  maxUpstreamQueries: 64,
  serveStale: true,
  staleWindow: 86_400,
  staleAnswerTimeoutMs: 1_800,
  prefetch: true,
  hedgedQueries: true,
  ede: true,
  qnameMinimisation: true,
  caseRandomisation: true,
  doNotQueryLocalhost: true,
  maxReferrals: 30,
  maxRrsetSize: 100,
  maxOutstanding: 2_000,
  maxOutstandingPerZone: 200,
  maxClientQueries: 2_000,
  ipv6Upstream: 'auto',
  upstreamPort: 53,
  tcpIdleTimeoutMs: 10_000,
  tcpMaxConnections: 256,
  metricsListen: '',
  metricsAllowRemote: false,
  webListen: '',
  webPassword: '',
  webToken: '',
  webQueryLogSize: 10_000,
  tlsListen: [],
  httpsListen: [],
  httpsPath: '/dns-query',
  httpListen: [],
  trustedProxies: [],
  tlsCertificate: [],
  tlsKey: [],
};
