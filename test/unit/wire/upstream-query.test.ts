import { describe, expect, it } from 'vitest';
import { buildUpstreamQuery, encodeUpstreamQueryGeneric } from '../../../src/wire/upstream-query.js';

describe('buildUpstreamQuery', () => {
  const names = ['.', 'com', 'com.', 'WwW.ExAmPlE.cOm', 'a.b.c.d.e.f.example.org.', '_dmarc.example', 'x-y.example', `${'a'.repeat(63)}.example`, 'xn--bcher-kva.example'];
  const types = ['A', 'AAAA', 'NS', 'DS', 'DNSKEY', 'TXT', 'HTTPS', 'SOA'];
  const flagSets = [{}, { recursionDesired: true }, { dnssecOk: true }, { dnssecOk: true, checkingDisabled: true }];
  it('writes the same bytes as the general encoder, for every name, type, EDNS and flag combination', () => {
    for (const name of names) {
      for (const type of types) {
        for (const edns of [true, false]) {
          for (const flags of flagSets) {
            expect(buildUpstreamQuery(0x1234, name, type, edns, flags).toString('hex'), `${name} ${type} ${edns} ${JSON.stringify(flags)}`).toBe(
              encodeUpstreamQueryGeneric(0x1234, name, type, edns, flags).toString('hex'),
            );
          }
        }
      }
    }
  });

  it('hands names it cannot write plainly to the general encoder', () => {
    for (const name of ['a\\.b.example', 'bücher.example']) {
      expect(buildUpstreamQuery(7, name, 'A', true).equals(encodeUpstreamQueryGeneric(7, name, 'A', true))).toBe(true);
    }
  });
});
