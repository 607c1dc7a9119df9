// `rootline check-config FILE` with the built binary: a good file prints YAML that is itself a config file and
// loads back to the same effective settings; a bad one gets the loader's file/line/key error and exit 1.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveConfig } from '../../src/cli/serve.js';
import { parseConfig } from '../../src/config/load.js';
import { DEFAULTS } from '../../src/config/schema.js';
import { assertCliBuilt, runCli } from '../helpers/cli.js';

let dir = '';

beforeAll(() => {
  assertCliBuilt();
  dir = mkdtempSync(join(tmpdir(), 'rootline-check-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function write(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('rootline check-config', () => {
  it('a good file: exit 0, YAML of defaults + file that loads back to the same settings', async () => {
    writeFileSync(join(dir, 'hosts'), '192.168.1.20 printer.lan\n');
    const file = write('good.yaml', [
      'listen: ["127.0.0.1:5300", "[::1]:5300"]',
      'cache-size: 5000',
      'workers: auto',
      'user: nobody',
      'hosts-files: [hosts]',
      'local-data: ["nas.lan. 300 A 192.168.1.10"]',
      'local-zones: ["ads.example.com refuse"]',
      'forward-zones:',
      '  - name: lan',
      '    servers: [192.168.1.1, "[fd00::1]:5353"]',
      '    fallback: recurse',
      'stub-zones:',
      '  - name: corp.example',
      '    servers: ["10.0.0.53@5353"]',
      '    tcp: true',
      'private-addresses: [default]',
    ]);
    const r = await runCli(['check-config', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const expected = await resolveConfig({ config: file });
    // Plain YAML first: every setting of the file is there, with its config-file key.
    const printed = parse(r.stdout) as Record<string, unknown>;
    expect(printed['cache-size']).toBe(5000);
    expect(printed['workers']).toBe('auto');
    expect(printed['user']).toBe('nobody');
    expect(printed['hosts-files']).toEqual([join(dir, 'hosts')]);
    expect(printed['max-ttl']).toBe(DEFAULTS.maxTtl);
    expect(printed).not.toHaveProperty('group');
    // Then through the loader: the printed file is a valid config whose effective settings are the same.
    const back = parseConfig(r.stdout, join(dir, 'printed.yaml'));
    expect({ ...DEFAULTS, ...back }).toEqual(expected);
  });

  it('an empty file prints the defaults', async () => {
    const file = write('empty.yaml', ['# nothing set']);
    const r = await runCli(['check-config', file]);
    expect(r.code).toBe(0);
    expect({ ...DEFAULTS, ...parseConfig(r.stdout, file) }).toEqual(await resolveConfig({ config: file }));
  });

  it('a bad file: the line and key, one line, exit 1, nothing on stdout', async () => {
    for (const [name, lines, pattern] of [
      ['key', ['cache-size: 5000', 'cache-sise: 10'], /key\.yaml line 2: unknown key 'cache-sise' \(did you mean 'cache-size'\?\)/],
      ['value', ['listen: ["127.0.0.1:53"]', '', 'max-ttl: forever'], /value\.yaml line 3: 'max-ttl' must be a whole number/],
      ['user', ['user: no-such-user-rl'], /unknown user 'no-such-user-rl'/],
      ['listen', ['listen: ["localhost:53"]'], /localhost/],
    ] as const) {
      const file = write(`${name}.yaml`, [...lines]);
      const r = await runCli(['check-config', file]);
      expect(r.code, r.stdout).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
    }
  });

  it('a missing file: one line naming it', async () => {
    const r = await runCli(['check-config', join(dir, 'nope.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read config file .*nope\.yaml/);
  });
});
