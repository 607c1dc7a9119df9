import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { configErrorOf } from '../../helpers/config-error.js';
import { parseHostPort } from '../../../src/util/host-port.js';

const errorOf = configErrorOf;

describe('forward-zones and stub-zones in the config file', () => {
  it('reads zones with every server form, defaults for fallback and tcp', () => {
    const c = parseConfig(
      [
        'forward-zones:',
        '  - name: Lan.',
        '    servers: [192.168.1.1, "192.168.1.2@5353", "127.0.0.1:5300", "[::1]:5301", "fd00::1"]',
        '  - name: .',
        '    servers: 9.9.9.9',
        '    fallback: recurse',
        '    tcp: true',
        'stub-zones:',
        '  - name: corp.example',
        '    servers: [10.0.0.53]',
      ].join('\n'),
      'rootline.yaml',
    );
    expect(c.forwardZones).toEqual([
      {
        name: 'lan',
        servers: [
          { address: '192.168.1.1', port: 53 },
          { address: '192.168.1.2', port: 5353 },
          { address: '127.0.0.1', port: 5300 },
          { address: '::1', port: 5301 },
          { address: 'fd00::1', port: 53 },
        ],
        fallback: 'servfail',
        tcp: false,
      },
      { name: '.', servers: [{ address: '9.9.9.9', port: 53 }], fallback: 'recurse', tcp: true },
    ]);
    expect(c.stubZones).toEqual([{ name: 'corp.example', servers: [{ address: '10.0.0.53', port: 53 }], fallback: 'servfail', tcp: false }]);
  });

  it('names the line and the key of every bad entry', () => {
    expect(errorOf('forward-zones: lan\n')).toMatch(/^rootline.yaml line 1: 'forward-zones' must be a list of zones/);
    expect(errorOf('forward-zones:\n  - lan\n')).toMatch(/^rootline.yaml line 2: each 'forward-zones' entry must be a map/);
    expect(errorOf('stub-zones:\n  - servers: [10.0.0.1]\n')).toMatch(/^rootline.yaml line 2: 'stub-zones' entry needs a name/);
    expect(errorOf('forward-zones:\n  - name: lan\n')).toMatch(/^rootline.yaml line 2: 'forward-zones' lan: servers must list at least one address/);
    expect(errorOf('forward-zones:\n  - name: lan\n    servers:\n      - 192.168.1.1\n      - router.lan\n')).toMatch(
      /^rootline.yaml line 5: 'forward-zones' lan: server 'router.lan': 'router.lan' is not an IPv4 or IPv6 address \(servers are addresses, not names\)/,
    );
    expect(errorOf('forward-zones:\n  - name: lan\n    servers: [192.168.1.1]\n    fallback: maybe\n')).toMatch(/^rootline.yaml line 4: 'forward-zones' lan: fallback must be recurse or servfail/);
    expect(errorOf('forward-zones:\n  - name: lan\n    servers: [192.168.1.1]\n    tcp: yes please\n')).toMatch(/^rootline.yaml line 4: 'forward-zones' lan: tcp must be true or false/);
    expect(errorOf('forward-zones:\n  - name: lan\n    server: [192.168.1.1]\n')).toMatch(/^rootline.yaml line 3: 'forward-zones' entry: unknown field 'server'/);
    expect(errorOf('forward-zones:\n  - name: a..b\n    servers: [192.168.1.1]\n')).toMatch(/^rootline.yaml line 2: .*empty label/);
    expect(errorOf('forward-zones:\n  - name: lan\n    servers: [192.168.1.1]\n  - name: LAN.\n    servers: [192.168.1.2]\n')).toMatch(/^rootline.yaml line 4: 'forward-zones' lists lan twice/);
    expect(errorOf('forward-zones:\n  - name: lan\n    servers: [192.168.1.1]\nstub-zones:\n  - name: lan\n    servers: [192.168.1.2]\n')).toMatch(
      /^rootline.yaml line 5: 'stub-zones' lan is already in 'forward-zones'/,
    );
  });
});

describe('host and port of a server', () => {
  it('takes ADDR, ADDR@PORT, ADDR:PORT and [V6]:PORT, port 53 by default', () => {
    expect(parseHostPort('192.0.2.1')).toEqual({ ok: true, address: '192.0.2.1', port: 53, family: 4 });
    expect(parseHostPort('192.0.2.1@853')).toEqual({ ok: true, address: '192.0.2.1', port: 853, family: 4 });
    expect(parseHostPort('2001:db8::1@5353')).toEqual({ ok: true, address: '2001:db8::1', port: 5353, family: 6 });
    expect(parseHostPort('[2001:db8::1]:5353')).toEqual({ ok: true, address: '2001:db8::1', port: 5353, family: 6 });
    expect(parseHostPort('192.0.2.1@99999')).toMatchObject({ ok: false, why: "'99999' is not a port number (0-65535)" });
  });
});

describe('forward zones over TLS', () => {
  const PIN = Buffer.alloc(32, 1).toString('base64');
  it('reads tls, tls-name, tls-pin and tls-ca (from the config folder); servers default to port 853', () => {
    const c = parseConfig(
      ['forward-zones:', '  - name: .', '    servers: [9.9.9.9, "149.112.112.112@8853"]', '    tls: true', '    tls-name: dns.quad9.net', `    tls-pin: "${PIN}"`, '    tls-ca: ca.pem'].join('\n'),
      '/etc/rootline/rootline.yaml',
    );
    expect(c.forwardZones![0]).toMatchObject({
      servers: [
        { address: '9.9.9.9', port: 853 },
        { address: '149.112.112.112', port: 8853 },
      ],
      tls: { name: 'dns.quad9.net', pin: PIN, ca: '/etc/rootline/ca.pem' },
    });
  });

  it('says what is missing or wrong, with the line', () => {
    expect(errorOf(['forward-zones:', '  - name: lan', '    servers: [192.168.1.1]', '    tls: true'].join('\n'))).toMatch(/line 2: .*tls: true needs tls-name .* or tls-pin/);
    expect(errorOf(['forward-zones:', '  - name: lan', '    servers: [192.168.1.1]', '    tls-name: router.lan'].join('\n'))).toMatch(/need tls: true/);
    expect(errorOf(['forward-zones:', '  - name: lan', '    servers: [192.168.1.1]', '    tls: true', '    tls-pin: abc'].join('\n'))).toMatch(/line 5: .*tls-pin must be a base64 SHA-256/);
    expect(errorOf(['stub-zones:', '  - name: lab', '    servers: [10.0.0.53]', '    tls: true', '    tls-name: ns.lab'].join('\n'))).toMatch(/tls is for forward-zones/);
  });

  it('reads tls-fallback: none by default, plain to port 53 of the same servers (over TCP when the zone says tcp)', () => {
    const zone = (extra: string[]) => parseConfig(['forward-zones:', '  - name: lan', '    servers: [192.168.1.1]', '    tls: true', '    tls-name: router.lan', ...extra].join('\n'), '/etc/rootline/rootline.yaml').forwardZones![0]!;
    expect(zone([]).tls).toEqual({ name: 'router.lan', pin: '', ca: '' });
    expect(zone(['    tls-fallback: none']).tls).toEqual({ name: 'router.lan', pin: '', ca: '' });
    expect(zone(['    tls-fallback: plain']).tls).toEqual({ name: 'router.lan', pin: '', ca: '', plain: { port: 53, tcp: false } });
    expect(zone(['    tls-fallback: plain', '    tcp: true']).tls?.plain).toEqual({ port: 53, tcp: true });
  });

  it('refuses another tls-fallback, and one without tls: true', () => {
    expect(errorOf(['forward-zones:', '  - name: lan', '    servers: [192.168.1.1]', '    tls: true', '    tls-name: r.lan', '    tls-fallback: udp'].join('\n'))).toMatch(/line 6: .*tls-fallback must be none .* or plain .*got 'udp'/);
    expect(errorOf(['forward-zones:', '  - name: lan', '    servers: [192.168.1.1]', '    tls-fallback: plain'].join('\n'))).toMatch(/tls-fallback need tls: true/);
  });
});
