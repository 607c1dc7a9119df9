import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from '../../../src/config/keys.js';
import { loadConfigFile, mergeConfig, parseConfig } from '../../../src/config/load.js';
import { DEFAULTS } from '../../../src/config/schema.js';
import { ErrorCode } from '../../../src/errors.js';

function errorOf(text: string): { code: string; message: string } {
  try {
    parseConfig(text, 'rootline.yaml');
  } catch (e) {
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
  return { code: 'none', message: '' };
}

describe('config file', () => {
  it('reads kebab-case keys into settings, resolving root-hints next to the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rootline-config-'));
    const file = join(dir, 'rootline.yaml');
    writeFileSync(file, 'listen:\n  - 127.0.0.1:5300\n  - "[::1]:5300"\nroot-hints: hints/named.root\ncache-size: 5000\nrrset-order: fixed\nqname-minimisation: false\nipv6-upstream: auto\n');
    const c = await loadConfigFile(file);
    expect(c).toEqual({
      listen: ['127.0.0.1:5300', '[::1]:5300'],
      rootHints: join(dir, 'hints/named.root'),
      cacheSize: 5000,
      rrsetOrder: 'fixed',
      qnameMinimisation: false,
      ipv6Upstream: 'auto',
    });
  });

  it('names the line and key of an unknown key, with a suggestion', () => {
    const e = errorOf('listen: 127.0.0.1:53\n\ncache-sise: 10\n');
    expect(e.code).toBe(ErrorCode.CONFIG_KEY);
    expect(e.message).toBe("rootline.yaml line 3: unknown key 'cache-sise' (did you mean 'cache-size'?)");
  });

  it('names the line and key of a bad value', () => {
    const e = errorOf('max-ttl: ten\n');
    expect(e.code).toBe(ErrorCode.CONFIG_VALUE);
    expect(e.message).toMatch(/line 1: 'max-ttl' must be a whole number of seconds from 0 to 604800, got 'ten'/);
    expect(errorOf('log-level: loud\n').message).toMatch(/'log-level' must be one of trace, debug/);
    expect(errorOf('a: 1\nallow:\n  - 10.0.0.0/40\n').code).toBe(ErrorCode.CONFIG_KEY);
    const acl = errorOf('allow:\n  - 10.0.0.0/40\n');
    expect(acl.code).toBe(ErrorCode.CONFIG_VALUE);
    expect(acl.message).toMatch(/line 2: '10\.0\.0\.0\/40'/);
    // the entry's own line, not the key's
    expect(errorOf('allow:\n  - 10.0.0.0/8\n\n  - fd00::/200\n').message).toMatch(/^rootline\.yaml line 4: 'fd00::\/200'/);
  });

  it('reads private-addresses (CIDRs or default) and names the line of a bad network', () => {
    expect(parseConfig('private-addresses:\n  - default\n  - 198.51.100.0/24\n', 'rootline.yaml').privateAddresses).toEqual(['default', '198.51.100.0/24']);
    expect(errorOf('private-addresses:\n  - default\n  - 10.0.0.0/99\n').message).toMatch(/^rootline\.yaml line 3: .*'10\.0\.0\.0\/99'/);
  });

  it('reads local-data and hosts-files, hosts files next to the config file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rootline-config-'));
    const file = join(dir, 'rootline.yaml');
    writeFileSync(file, [
      'local-data:',
      '  - "nas.home.arpa. 300 IN A 192.168.1.10"',
      '  - \'lan. TXT "hello world"\'',
      'hosts-files:',
      '  - hosts.lan',
      '  - /etc/hosts',
      '',
    ].join('\n'));
    expect(await loadConfigFile(file)).toEqual({
      localData: ['nas.home.arpa. 300 IN A 192.168.1.10', 'lan. TXT "hello world"'],
      hostsFiles: [join(dir, 'hosts.lan'), '/etc/hosts'],
    });
    expect(parseConfig('local-data: "www.lan CNAME nas.lan"\n', 'r.yaml')).toEqual({ localData: ['www.lan CNAME nas.lan'] });
    expect(DEFAULTS.localData).toEqual([]);
    expect(DEFAULTS.hostsFiles).toEqual([]);
  });

  it('names the file, the entry\'s own line and the key of a malformed local-data entry', () => {
    const e = errorOf('cache-size: 100\nlocal-data:\n  - "nas.lan A 192.168.1.10"\n  # a comment\n  - "printer.lan AAAA 192.168.1.11"\n');
    expect(e.code).toBe(ErrorCode.CONFIG_VALUE);
    expect(e.message).toBe("rootline.yaml line 5: 'local-data' entry 'printer.lan AAAA 192.168.1.11': '192.168.1.11' is not an IPv6 address");
    expect(errorOf('local-data: "nas.lan SOA x"\n').message).toMatch(/^rootline\.yaml line 1: 'local-data' entry 'nas\.lan SOA x': type 'SOA' is not supported/);
    expect(errorOf('local-data:\n  - 42\n').code).toBe(ErrorCode.CONFIG_VALUE);
    const cname = errorOf('local-data:\n  - "www.lan A 10.0.0.1"\n  - "WWW.lan. CNAME nas.lan"\n');
    expect(cname.message).toMatch(/^rootline\.yaml line 3: 'local-data' entry 'WWW\.lan\. CNAME nas\.lan': www\.lan has a CNAME and other data/);
    expect(errorOf('local-data:\n  - "www.lan CNAME nas.lan"\n  - "www.lan TXT x"\n').message).toMatch(/line 3: .*CNAME must be alone/);
  });

  it('reports broken YAML with its line', () => {
    const e = errorOf('listen: [127.0.0.1:53\ncache-size: 5\n');
    expect(e.code).toBe(ErrorCode.CONFIG_FILE);
    expect(e.message).toMatch(/rootline\.yaml line \d+: not valid YAML/);
  });

  it('lets flags override the file and the file override defaults', () => {
    const c = mergeConfig(DEFAULTS, { cacheSize: 10, maxTtl: 60 }, { cacheSize: 20 });
    expect(c.cacheSize).toBe(20);
    expect(c.maxTtl).toBe(60);
    expect(c.minTtl).toBe(DEFAULTS.minTtl);
  });

  it('has a key for every setting', () => {
    const fields = new Set(CONFIG_KEYS.map((k) => k.field));
    for (const f of Object.keys(DEFAULTS)) expect(fields.has(f as never), f).toBe(true);
  });
});

describe('docs/rootline.example.yaml', () => {
  it('loads, once uncommented, to exactly the defaults', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync('docs/rootline.example.yaml', 'utf8')
      .split('\n')
      .map((l) => (/^# [a-z0-9-]+: ?/.test(l) || l.startsWith('#   - ') ? l.slice(2) : l))
      .join('\n');
    // Settings that are unset by default ('') show an example value instead.
    const { rootHints, user, group, cacheFile, ...rest } = parseConfig(text, 'example.yaml');
    expect(rootHints).toBe('/usr/share/rootline/named.root');
    expect([user, group, cacheFile]).toEqual(['rootline', 'rootline', '/var/lib/rootline/cache.jsonl']);
    const { rootHints: _ignored, user: _user, group: _group, cacheFile: _cacheFile, ...defaults } = DEFAULTS;
    expect(rest).toEqual(defaults);
  });
});
