// The one table of config-file keys: name, field, how to check the value, and the doc line. The loader, the
// README reference and the example file all come from it.
import type { Config } from './schema.js';

export type Check =
  | { kind: 'int'; min: number; max: number; unit: string }
  | { kind: 'bool' }
  | { kind: 'enum'; values: readonly string[] }
  /** allowEmpty: '' is a value of its own (off). */
  | { kind: 'string'; allowEmpty?: true }
  | { kind: 'strings' }
  | { kind: 'auto-bool' }
  | { kind: 'auto-int'; min: number; max: number }
  /** A list of maps {name, servers, fallback, tcp}: checked entry by entry in zone-entries.ts. */
  | { kind: 'zones' }
  /** true, false, or a list of "NAME TYPE" rules: checked in local-zone-rules.ts. */
  | { kind: 'local-zones' };

export interface KeySpec {
  key: string;
  field: keyof Config;
  check: Check;
  doc: string;
  flag?: string;
  /** File paths: relative ones are taken from the config file's folder. */
  paths?: true;
}

const int = (min: number, max: number, unit: string): Check => ({ kind: 'int', min, max, unit });
const DAY = 86_400;

export const CONFIG_KEYS: readonly KeySpec[] = [
  { key: 'listen', field: 'listen', check: { kind: 'strings' }, flag: '--listen', doc: 'Addresses to serve DNS on (UDP and TCP), ADDR:PORT or [V6]:PORT.' },
  { key: 'user', field: 'user', check: { kind: 'string' }, flag: '--user', doc: 'Run as this user (name or uid) once the sockets are bound: start as root, and rootline drops to it after binding port 53 and the control socket (workers run as it from the start). Not needed under the systemd unit.' },
  { key: 'group', field: 'group', check: { kind: 'string' }, flag: '--group', doc: "Run as this group (name or gid) with user; default: the user's primary group. Supplementary groups are dropped." },
  { key: 'root-hints', field: 'rootHints', check: { kind: 'string' }, paths: true, flag: '--root-hints', doc: 'Root hints file (named.root format); relative to the config file. Default: the bundled IANA file.' },
  { key: 'dnssec-validation', field: 'dnssecValidation', check: { kind: 'bool' }, flag: '--no-dnssec-validation', doc: 'Validate DNSSEC (RFC 4033–4035): AD on secure answers for clients that set DO or AD, SERVFAIL with EDE 6–12 on bogus ones (CD=1 gets the data anyway), RRSIGs and proofs for DO=1 clients.' },
  { key: 'trust-anchor-file', field: 'trustAnchorFile', check: { kind: 'string', allowEmpty: true }, paths: true, flag: '--trust-anchor-file', doc: "Trust anchors: DS or DNSKEY records in zone-file form, one per line (Unbound's format; `;` comments). Default: the bundled root anchors (KSK-2017 and KSK-2024)." },
  { key: 'trust-anchors', field: 'trustAnchors', check: { kind: 'strings' }, doc: 'Trust anchors given inline, one DS or DNSKEY record per entry (e.g. "lab. DS 12345 13 2 …"), used with the file\'s.' },
  { key: 'trust-anchor-state', field: 'trustAnchorState', check: { kind: 'string', allowEmpty: true }, paths: true, doc: 'RFC 5011 automated trust anchor updates: a file (in the service\'s state directory, e.g. /var/lib/rootline/trust-anchors.json) where rootline tracks the anchored zones\' key-signing keys — a new one is trusted after 30 days of being seen validly signed, a revoked one never again. Off when empty.' },
  { key: 'domain-insecure', field: 'domainInsecure', check: { kind: 'strings' }, doc: "Negative trust anchors (RFC 7646): names whose zone (and everything below) is not validated, e.g. a private domain a signed parent says does not exist. Forward and stub zones (other than `.`) are insecure as well: the router's answers for the LAN domain carry no signatures." },
  { key: 'aggressive-nsec', field: 'aggressiveNsec', check: { kind: 'bool' }, doc: 'RFC 8198: answer NXDOMAIN and NODATA from cached, validated NSEC ranges without asking the zone again (random-subdomain floods cost one query per gap). NSEC only, not NSEC3.' },
  { key: 'bogus-ttl', field: 'bogusTtl', check: int(0, DAY, 'seconds'), doc: 'Seconds data that failed validation is cached: repeated queries get SERVFAIL without asking the servers again; CD=1 queries get the data.' },
  { key: 'forward-zones', field: 'forwardZones', check: { kind: 'zones' }, doc: 'Zones sent to a recursive resolver with RD=1 (e.g. the LAN domain to the router; `.` forwards everything): a list of {name, servers: [ADDR, ADDR@PORT, [V6]:PORT], fallback: servfail|recurse, tcp: false|true, tls: false|true with tls-name, tls-pin, tls-ca, tls-fallback: none|plain} (tls: DNS over TLS, port 853 unless given; tls-fallback: plain sends plain DNS to port 53 of the same servers when TLS fails — see DNS over TLS to forwarders).' },
  { key: 'stub-zones', field: 'stubZones', check: { kind: 'zones' }, doc: 'Zones iterated from the given authoritative servers instead of from the root; entries as in forward-zones.' },
  { key: 'debug-clients', field: 'debugClients', check: { kind: 'strings' }, doc: 'Client networks (CIDR) that may ask CHAOS questions: version.bind, hostname.bind, and `dig -c CH TXT NAME` for the journey of NAME through this server (it shows what the cache holds). Others get REFUSED.' },
  { key: 'identity', field: 'identity', check: { kind: 'string', allowEmpty: true }, doc: 'What hostname.bind and id.server (CH TXT) answer; default: the host name.' },
  { key: 'allow', field: 'allow', check: { kind: 'strings' }, doc: 'Client networks (CIDR) allowed to query; others get REFUSED. Default: loopback and private ranges.' },
  { key: 'deny', field: 'deny', check: { kind: 'strings' }, doc: 'Client networks (CIDR) refused even inside allow; deny wins.' },
  { key: 'outside-clients', field: 'outsideClients', check: { kind: 'enum', values: ['refuse', 'drop'] }, doc: 'What clients outside allow (or inside deny) get: REFUSED, or no answer at all.' },
  { key: 'ratelimit', field: 'ratelimit', check: int(0, 1_000_000, 'queries per second'), doc: 'Queries per second one client (IPv6: one /56) may send, token bucket; 0 = no limit.' },
  { key: 'ratelimit-burst', field: 'ratelimitBurst', check: int(1, 1_000_000, 'queries'), doc: 'Queries a client may send at once before ratelimit applies.' },
  { key: 'ratelimit-action', field: 'ratelimitAction', check: { kind: 'enum', values: ['drop', 'truncate'] }, doc: 'Over the limit: drop the query, or answer TC=1 over UDP (real clients retry over TCP).' },
  { key: 'ratelimit-exempt', field: 'ratelimitExempt', check: { kind: 'strings' }, doc: 'Client networks (CIDR) never rate-limited.' },
  { key: 'proxy-protocol-from', field: 'proxyProtocolFrom', check: { kind: 'strings' }, doc: 'Load balancers (CIDR) whose every UDP query and TCP connection must start with a PROXY protocol v2 header; the address in it is the client for allow, deny, rate limits, logs and metrics. Anything else from them, and any header from elsewhere, is dropped. Default: none.' },
  { key: 'cache-size', field: 'cacheSize', check: int(16, 100_000_000, 'entries'), flag: '--cache-size', doc: 'Most RRsets kept in cache (the answer cache holds as many responses); least recently used go first.' },
  { key: 'cache-memory', field: 'cacheMemory', check: int(4, 65_536, 'MB'), flag: '--cache-memory', doc: 'Memory for all the caches together (estimated bytes): 45% RRsets, 30% ready answers, 20% negative answers, 5% server state; least recently used go first. cache-size caps the entries as well.' },
  { key: 'max-ttl', field: 'maxTtl', check: int(0, 7 * DAY, 'seconds'), doc: 'Upper bound on cached TTLs.' },
  { key: 'min-ttl', field: 'minTtl', check: int(0, DAY, 'seconds'), doc: 'Lower bound on cached TTLs.' },
  { key: 'max-negative-ttl', field: 'maxNegativeTtl', check: int(0, DAY, 'seconds'), doc: 'Upper bound on cached NXDOMAIN/NODATA answers (RFC 2308).' },
  { key: 'rrset-order', field: 'rrsetOrder', check: { kind: 'enum', values: ['rotate', 'random', 'fixed'] }, doc: 'Order of A/AAAA records in answers: rotate (round-robin), random, or fixed.' },
  { key: 'private-addresses', field: 'privateAddresses', check: { kind: 'strings' }, doc: "Rebinding guard: A/AAAA records in these networks (CIDR; 'default' = RFC 1918, loopback, link-local, CGNAT, ULA) are removed from answers for names outside private-domains. Off when empty." },
  { key: 'private-domains', field: 'privateDomains', check: { kind: 'strings' }, doc: 'Names (and everything below them) whose answers may hold private addresses.' },
  { key: 'blocklists', field: 'blocklists', check: { kind: 'strings' }, paths: true, doc: 'Blocklist files (hosts format, plain domain lists, adblock `||name^`); a listed name and every name below it is blocked. Reloaded on SIGHUP.' },
  { key: 'allowlist', field: 'allowlist', check: { kind: 'strings' }, doc: 'Names never blocked (with every name below them); wins over every blocklist.' },
  { key: 'blocklist-mode', field: 'blocklistMode', check: { kind: 'enum', values: ['null-ip', 'nxdomain', 'nodata', 'refuse'] }, doc: 'What a blocked query gets: null-ip (0.0.0.0 / ::, NODATA for other types), nxdomain, nodata or refuse; always with EDE 15 naming the list and rule.' },
  { key: 'local-zones', field: 'localZones', check: { kind: 'local-zones' }, doc: 'Answer localhost, private reverse zones, invalid. and home.arpa. locally (RFC 6761, RFC 6303): true, false, or a list of "NAME TYPE" rules added to them, TYPE one of static, transparent, redirect, refuse, deny, nodefault (see Local names).' },
  { key: 'local-data', field: 'localData', check: { kind: 'strings' }, doc: 'Records answered here with AA, never sent upstream, in zone-file form "NAME [TTL] [IN] TYPE DATA": A, AAAA, CNAME, TXT, MX, SRV, PTR, NS; TTL 3600 unless given (see Local names).' },
  { key: 'hosts-files', field: 'hostsFiles', check: { kind: 'strings' }, paths: true, doc: 'Files in /etc/hosts form (ADDR NAME [NAME...]) served like local-data, TTL 3600, each address with a PTR to its first name; relative to the config file.' },
  { key: 'qname-minimisation', field: 'qnameMinimisation', check: { kind: 'bool' }, flag: '--no-qname-minimisation', doc: 'Send each zone only the labels it needs (RFC 9156, relaxed mode).' },
  { key: 'do-not-query-localhost', field: 'doNotQueryLocalhost', check: { kind: 'bool' }, doc: "Never send queries to 127.0.0.0/8 or ::1 addresses learnt from delegations (as Unbound's option of that name), unless the root hints are on loopback (a lab); forward and stub zone servers are always asked." },
  { key: 'case-randomisation', field: 'caseRandomisation', check: { kind: 'bool' }, doc: 'Randomise the letter case of upstream query names (0x20), with a per-server fallback.' },
  { key: 'serve-stale', field: 'serveStale', check: { kind: 'bool' }, doc: 'Answer from expired cache when resolution fails or is slow (RFC 8767), TTL 30, EDE 3.' },
  { key: 'stale-window', field: 'staleWindow', check: int(0, 30 * DAY, 'seconds'), doc: 'How long after expiry data may be served stale.' },
  { key: 'stale-answer-timeout-ms', field: 'staleAnswerTimeoutMs', check: int(0, 60_000, 'ms'), doc: 'Client-response timer: answer stale data after this long if resolution is still running.' },
  { key: 'ede', field: 'ede', check: { kind: 'bool' }, doc: 'Extended DNS Errors (RFC 8914) on SERVFAIL and stale answers: the text names the zone, the servers and why.' },
  { key: 'prefetch', field: 'prefetch', check: { kind: 'bool' }, doc: 'Refresh RRsets asked for in the last 10% of their TTL, and delegations used often (a parent-side NS set with 8 zone queries in its lifetime) in the last 10% of theirs, in the background.' },
  { key: 'hedged-queries', field: 'hedgedQueries', check: { kind: 'bool' }, doc: 'Ask a second server of a zone when the first has not answered within its expected RTT (SRTT + 2·RTTVAR, 200 ms if unknown); at most one per zone query, 2 per client query, and about 10% of a zone\'s queries.' },
  { key: 'ipv6-upstream', field: 'ipv6Upstream', check: { kind: 'auto-bool' }, doc: 'Use IPv6 addresses of upstream servers: auto (when the host has a global IPv6 address), true, false.' },
  { key: 'upstream-port', field: 'upstreamPort', check: int(1, 65_535, 'port'), flag: '--upstream-port', doc: 'Port of upstream servers: 53 on the internet, another for a lab.' },
  { key: 'query-timeout-ms', field: 'queryTimeoutMs', check: int(100, 60_000, 'ms'), doc: 'Total time budget for one client query; SERVFAIL past it.' },
  { key: 'upstream-timeout-ms', field: 'upstreamTimeoutMs', check: int(10, 30_000, 'ms'), doc: 'Most time one upstream try may take (the adaptive timeout is usually shorter).' },
  { key: 'max-cname-chain', field: 'maxCnameChain', check: int(1, 64, 'links'), doc: 'Longest CNAME/DNAME chain followed; SERVFAIL past it.' },
  { key: 'max-referrals', field: 'maxReferrals', check: int(1, 100, 'referrals'), doc: 'Referrals followed for one name (stops referral loops).' },
  { key: 'max-ns-lookups', field: 'maxNsLookups', check: int(0, 100, 'lookups'), doc: 'Glueless NS-name lookups one delegation may start within a client query (NXNSAttack, CVE-2020-12662).' },
  { key: 'max-subquery-depth', field: 'maxSubqueryDepth', check: int(1, 20, 'levels'), doc: 'Nesting of side resolutions: an NS name whose zone needs another NS name looked up, and so on.' },
  { key: 'max-upstream-queries', field: 'maxUpstreamQueries', check: int(1, 1_000, 'queries'), doc: 'Upstream queries one client query may send.' },
  { key: 'max-rrset-size', field: 'maxRrsetSize', check: int(1, 10_000, 'records'), doc: 'Records accepted in one upstream RRset; a larger one makes the reply unusable.' },
  { key: 'max-outstanding', field: 'maxOutstanding', check: int(1, 100_000, 'queries'), doc: 'Upstream queries in flight at once, in total.' },
  { key: 'max-outstanding-per-zone', field: 'maxOutstandingPerZone', check: int(1, 100_000, 'queries'), doc: 'Upstream queries in flight at once to the servers of one zone.' },
  { key: 'max-client-queries', field: 'maxClientQueries', check: int(1, 1_000_000, 'queries'), doc: 'Client queries resolved at once; further ones are dropped (clients retry).' },
  { key: 'tcp-idle-timeout-ms', field: 'tcpIdleTimeoutMs', check: int(100, 600_000, 'ms'), doc: 'Idle time before a client TCP connection is closed (RFC 7766 §6.2.3).' },
  { key: 'tcp-max-connections', field: 'tcpMaxConnections', check: int(1, 100_000, 'connections'), doc: 'Concurrent client TCP connections per listen address.' },
  { key: 'log-level', field: 'logLevel', check: { kind: 'enum', values: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] }, flag: '--log-level', doc: 'Log level.' },
  { key: 'log-format', field: 'logFormat', check: { kind: 'enum', values: ['json', 'pretty', 'auto'] }, flag: '--log-format', doc: 'json, pretty, or auto (pretty on a terminal).' },
  { key: 'workers', field: 'workers', check: { kind: 'auto-int', min: 1, max: 256 }, flag: '--workers', doc: 'Processes serving the same sockets, each with its own caches; auto = one per core.' },
  { key: 'stats-interval', field: 'statsInterval', check: int(0, 86_400, 'seconds'), flag: '--stats-interval', doc: 'Log counters (summed over workers) every this many seconds; 0 = only at shutdown.' },
  { key: 'cache-file', field: 'cacheFile', check: { kind: 'string' }, paths: true, flag: '--cache-file', doc: 'Warm restart: load the caches from this file at start (expired entries dropped, the rest counted down) and write them to it at a graceful stop; relative to the config file.' },
  { key: 'control-socket', field: 'controlSocket', check: { kind: 'string' }, flag: '--control-socket', doc: "Unix socket for `rootline ctl` (mode 0600): a path, auto (/run/rootline/control.sock when /run/rootline exists, else rootline.sock next to the config file, else none) or off." },
  { key: 'metrics-listen', field: 'metricsListen', check: { kind: 'string', allowEmpty: true }, doc: 'Serve Prometheus metrics at http://ADDR:PORT/metrics and the same figures as JSON at /stats (summed over workers), e.g. 127.0.0.1:9153; off when empty. Loopback only unless metrics-allow-remote is true.' },
  { key: 'metrics-allow-remote', field: 'metricsAllowRemote', check: { kind: 'bool' }, doc: 'Allow metrics-listen on an address other than loopback (the endpoint has no authentication: firewall it).' },
  { key: 'web-listen', field: 'webListen', check: { kind: 'string', allowEmpty: true }, flag: '--web-listen', doc: 'Serve the web dashboard, its JSON API and (when metrics-listen is set) /metrics at http://ADDR:PORT/, e.g. 127.0.0.1:8053; off when empty. Loopback only unless web-password is set.' },
  { key: 'web-password', field: 'webPassword', check: { kind: 'string', allowEmpty: true }, doc: 'The dashboard password as a scrypt hash (`rootline hash-password` prints one). Needed to serve web-listen beyond loopback; without it a loopback dashboard asks for no password.' },
  { key: 'web-token', field: 'webToken', check: { kind: 'string', allowEmpty: true }, doc: 'A bearer token (at least 24 characters) that scripts may send as `Authorization: Bearer TOKEN` to the dashboard API and /metrics instead of logging in; off when empty.' },
  { key: 'web-query-log-size', field: 'webQueryLogSize', check: int(0, 1_000_000, 'queries'), doc: "Queries the dashboard's query log keeps in memory (a ring buffer per worker, about 200 bytes each); 0 = no query log page." },
  { key: 'tls-listen', field: 'tlsListen', check: { kind: 'strings' }, doc: 'Addresses to serve DNS over TLS on (RFC 7858; Android Private DNS), ADDR:PORT, port 853 unless given; needs tls-certificate. Off when empty.' },
  { key: 'https-listen', field: 'httpsListen', check: { kind: 'strings' }, doc: 'Addresses to serve DNS over HTTPS on (RFC 8484; browsers), HTTP/2 and HTTP/1.1, port 443 unless given; needs tls-certificate. Off when empty.' },
  { key: 'http-listen', field: 'httpListen', check: { kind: 'strings' }, doc: 'Addresses to serve DNS over plaintext HTTP/1.1 on, for a reverse proxy in front that does the TLS (nginx, Caddy), ADDR:PORT, port 80 unless given, same path as https-listen; needs trusted-proxies. Never point clients at it directly. Off when empty.' },
  { key: 'trusted-proxies', field: 'trustedProxies', check: { kind: 'strings' }, doc: 'Reverse proxies (CIDR) allowed to name the client on http-listen: from them the right-most X-Forwarded-For address that is not a trusted proxy is the client for allow, deny, rate limits and the query log; from anyone else the header is ignored. Default: none.' },
  { key: 'https-path', field: 'httpsPath', check: { kind: 'string' }, doc: 'The DNS over HTTPS path (https://NAME/dns-query), on https-listen and http-listen.' },
  { key: 'tls-certificate', field: 'tlsCertificate', check: { kind: 'strings' }, paths: true, doc: 'PEM certificate file (server certificate first, then its chain) for tls-listen and https-listen, or a list of them: the first is the default, the others are picked by the name the client asks for (SNI). Re-read on reload; relative to the config file.' },
  { key: 'tls-key', field: 'tlsKey', check: { kind: 'strings' }, paths: true, doc: 'PEM private key file for tls-certificate, or a list in the same order. Re-read on reload; relative to the config file.' },
  { key: 'query-log', field: 'queryLog', check: { kind: 'bool' }, flag: '--query-log', doc: 'Log one line per client query (client, name, type, rcode, ms, cache hit, and the policy step that decided with its EDE).' },
];
