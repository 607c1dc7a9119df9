// What each `dig` line `rootline lab` prints must show through a validating resolver that trusts only lab.root.ds:
// one table, shared by the suite that runs the lines against rootline and the one that runs them against Unbound.
import { LAB_EXAMPLES, type LabExample } from '../../src/lab/lab-zones.js';

export interface Expectation {
  status: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL';
  /** The AD flag (dig sets AD in its queries, so a validating resolver reports it without +dnssec too). */
  ad: boolean;
  /** The Extended DNS Error of a bogus answer (RFC 8914): 7 Signature Expired, 9 DNSKEY Missing. */
  ede?: number;
  /** Record types the answer section holds, in order (RRSIGs shown only with +dnssec). */
  answer?: string[];
  /** A record type the authority section must hold (NSEC, NSEC3). */
  authority?: string;
}

export const exampleKey = (e: Pick<LabExample, 'name' | 'type' | 'dig'>): string => `${e.name} ${e.type}${e.dig ? ` ${e.dig}` : ''}`;

export const LAB_EXPECTATIONS: Readonly<Record<string, Expectation>> = {
  'www.example.com A': { status: 'NOERROR', ad: true, answer: ['A'] },
  'www.example.com A +dnssec': { status: 'NOERROR', ad: true, answer: ['A', 'RRSIG'] },
  '. DNSKEY +dnssec +multi': { status: 'NOERROR', ad: true, answer: ['DNSKEY', 'RRSIG'] },
  'example.com DS +dnssec': { status: 'NOERROR', ad: true, answer: ['DS', 'RRSIG'] },
  'example.com MX': { status: 'NOERROR', ad: true, answer: ['MX'] },
  'pool.example.com A': { status: 'NOERROR', ad: true, answer: ['A', 'A', 'A', 'A'] },
  'start.example.com A': { status: 'NOERROR', ad: true, answer: ['CNAME', 'CNAME', 'A'] },
  'x.old.example.com A': { status: 'NOERROR', ad: true, answer: ['DNAME', 'CNAME', 'A'] },
  'www.glueless.org A': { status: 'NOERROR', ad: true, answer: ['A'] },
  'nope.example.com A': { status: 'NXDOMAIN', ad: true, answer: [] },
  'nope.example.com A +dnssec': { status: 'NXDOMAIN', ad: true, answer: [], authority: 'NSEC' },
  'nope.example.net A +dnssec': { status: 'NXDOMAIN', ad: true, answer: [], authority: 'NSEC3' },
  'hello.any.example.com TXT +dnssec': { status: 'NOERROR', ad: true, answer: ['TXT', 'RRSIG'], authority: 'NSEC' },
  'www.example.com MX': { status: 'NOERROR', ad: true, answer: [] },
  'loop.example.com A': { status: 'SERVFAIL', ad: false },
  'www.lame.com A': { status: 'SERVFAIL', ad: false },
  'big.example.com TXT': { status: 'NOERROR', ad: true },
  'www.insecure.org A +dnssec': { status: 'NOERROR', ad: false, answer: ['A'] },
  'insecure.org DS +dnssec': { status: 'NOERROR', ad: true, answer: [], authority: 'NSEC' },
  'www.expired.com A': { status: 'SERVFAIL', ad: false, ede: 7, answer: [] },
  'www.expired.com A +cd +dnssec': { status: 'NOERROR', ad: false, answer: ['A', 'RRSIG'] },
  'www.wrong-ds.net A': { status: 'SERVFAIL', ad: false, ede: 9, answer: [] },
  'www.wrong-ds.net A +cd': { status: 'NOERROR', ad: false, answer: ['A'] },
};

/** Every printed example with its expectation; throws when an example has none, so a new line cannot go untested. */
export function examplesWithExpectations(): { example: LabExample; key: string; expect: Expectation }[] {
  return LAB_EXAMPLES.map((example) => {
    const key = exampleKey(example);
    const expect = LAB_EXPECTATIONS[key];
    if (!expect) throw new Error(`no expectation for the lab example '${key}' in test/helpers/lab-expectations.ts`);
    return { example, key, expect };
  });
}

/** The record types of dig's answer lines (owner, TTL, class, type, data); `+multi` continuation lines skipped. */
export const digTypes = (lines: readonly string[]): string[] => lines.filter((l) => !/^\s/.test(l)).map((l) => l.trim().split(/\s+/)[3] ?? '');

/** The EDE code dig prints (`; EDE: 7 (Signature Expired)`), if any. */
export const digEde = (raw: string): number | undefined => {
  const m = /EDE: (\d+)/.exec(raw);
  return m ? Number(m[1]) : undefined;
};
