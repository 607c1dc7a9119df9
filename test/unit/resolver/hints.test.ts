import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/errors.js';
import { parseRootHints } from '../../../src/resolver/hints.js';

describe('root hints', () => {
  it('parses the bundled IANA file: 13 servers with v4 and v6 addresses', () => {
    const h = parseRootHints(readFileSync('root-hints/named.root', 'utf8'));
    expect(h.nsNames).toHaveLength(13);
    expect(h.nsNames[0]).toBe('a.root-servers.net');
    expect(h.addresses.get('a.root-servers.net')).toEqual(['198.41.0.4', '2001:503:ba3e::2:30']);
  });
  it('names the line of a bad entry', () => {
    expect(() => parseRootHints('. 3600 NS a.root.test.\nbroken\n', 'hints.txt')).toThrowError(/hints.txt line 2/);
    let code = '';
    try {
      parseRootHints('a.root.test. A 127.0.0.1\n');
    } catch (e) {
      code = (e as { code: string }).code;
    }
    expect(code).toBe(ErrorCode.ROOT_HINTS);
  });
});
