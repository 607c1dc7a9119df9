// The `rootline lab` hierarchy: root, three TLDs and a handful of zones that show every interesting case of
// iterative resolution and of DNSSEC validation, served by in-process authoritative servers on loopback addresses
// (prefix.x.y). How each zone is signed is LAB_SIGNING below; sign-lab.ts does the signing.
//
//   P.0.1, P.0.2   a.root.lab, b.root.lab      "."
//   P.1.1/2/3      ns.nic.com / .net / .org    com, net, org
//   P.2.1, P.2.2   ns1/ns2.example.com         example.com (glue in com), expired.com on P.2.1;
//                                              example.net and wrong-ds.net on P.2.2
//   P.2.3          ns1.example.org             example.org, insecure.org, glueless.org (its NS name lives in example.net)
//   P.2.4          ns.broken.net               lame.com: delegated here, but this server answers REFUSED
import type { Denial } from '../dnssec/denial-chain.js';
import type { SigningAlgorithm } from '../dnssec/sign.js';
import type { RrsetRef } from '../dnssec/zone-signer.js';
import { zone, type Zone } from './answerer.js';

export interface LabServer {
  label: string;
  address: string;
  zones: Zone[];
  /** This server answers REFUSED to everything (a lame delegation to show EDE). */
  lame?: boolean;
}

export interface LabExample {
  name: string;
  type: string;
  what: string;
  /** dig options that make the point (`+dnssec` to see the RRSIGs and proofs, `+cd` to skip validation). */
  dig?: string;
}

/**
 * How one zone is signed (sign-lab.ts); a zone not in the plan is left unsigned and its parent publishes no DS. The
 * lab uses a few of these switches; tests of the validator use the rest to build the zones it must reject.
 */
export interface LabSigning {
  algorithm: SigningAlgorithm;
  denial: Denial;
  /** 'expired': every signature ended a day ago (a zone whose signer stopped); 'not-yet-valid': they start tomorrow. */
  signatures?: 'current' | 'expired' | 'not-yet-valid';
  /**
   * The DS the parent publishes: 'unknown-key' names a key the zone does not publish (a key rollover gone wrong),
   * 'wrong-digest' the right key with a digest that does not match, 'none' no DS (a signed island under an insecure
   * delegation).
   */
  ds?: 'match' | 'unknown-key' | 'wrong-digest' | 'none';
  /** RRsets published without their RRSIGs, or with a corrupted one (zone-signer.ts). */
  stripRrsigs?: RrsetRef[];
  corruptRrsigs?: RrsetRef[];
}

/** RFC 9276 §3.1: NSEC3 with no extra iterations and an empty salt. */
const NSEC3_OPT_OUT: Denial = { nsec3: { iterations: 0, salt: Buffer.alloc(0), optOut: true } };
const NSEC3: Denial = { nsec3: { iterations: 0, salt: Buffer.alloc(0) } };
const ECDSA = 13;
const ED25519 = 15;

/**
 * The chain of trust: the root, org and example.com with ECDSA P-256 and NSEC; com and net, like the real ones, with
 * NSEC3 and opt-out; example.net with Ed25519 and NSEC3 (hashed denial); insecure.org unsigned and without a DS;
 * expired.com and wrong-ds.net the two broken chains.
 */
export const LAB_SIGNING: Readonly<Record<string, LabSigning>> = {
  '.': { algorithm: ECDSA, denial: 'nsec' },
  com: { algorithm: ECDSA, denial: NSEC3_OPT_OUT },
  net: { algorithm: ED25519, denial: NSEC3_OPT_OUT },
  org: { algorithm: ECDSA, denial: 'nsec' },
  'example.com': { algorithm: ECDSA, denial: 'nsec' },
  'example.net': { algorithm: ED25519, denial: NSEC3 },
  'example.org': { algorithm: ED25519, denial: 'nsec' },
  'glueless.org': { algorithm: ECDSA, denial: 'nsec' },
  'expired.com': { algorithm: ECDSA, denial: 'nsec', signatures: 'expired' },
  'wrong-ds.net': { algorithm: ED25519, denial: 'nsec', ds: 'unknown-key' },
};

const soa = (ns: string) => `@ 3600 SOA ${ns} hostmaster 2026112501 7200 900 1209600 300`;

export function labServers(prefix: string): LabServer[] {
  const ip = (a: number, b: number) => `${prefix}.${a}.${b}`;
  const root = zone('.', [
    '@ 3600 SOA a.root.lab. hostmaster.root.lab. 2026112501 7200 900 1209600 300',
    '@ NS a.root.lab.', '@ NS b.root.lab.', `a.root.lab. A ${ip(0, 1)}`, `b.root.lab. A ${ip(0, 2)}`,
    'com. NS ns.nic.com.', `ns.nic.com. A ${ip(1, 1)}`,
    'net. NS ns.nic.net.', `ns.nic.net. A ${ip(1, 2)}`,
    'org. NS ns.nic.org.', `ns.nic.org. A ${ip(1, 3)}`,
  ]);
  const com = zone('com', [
    soa('ns.nic.com.'), '@ NS ns.nic.com.', `ns.nic.com. A ${ip(1, 1)}`,
    'example NS ns1.example.com.', 'example NS ns2.example.com.', `ns1.example A ${ip(2, 1)}`, `ns2.example A ${ip(2, 2)}`,
    'lame NS ns.broken.net.',
    'expired NS ns1.example.com.',
  ]);
  const net = zone('net', [
    soa('ns.nic.net.'), '@ NS ns.nic.net.', `ns.nic.net. A ${ip(1, 2)}`,
    'example NS ns1.example.net.', `ns1.example A ${ip(2, 2)}`,
    'broken NS ns.broken.net.', `ns.broken A ${ip(2, 4)}`,
    'wrong-ds NS ns1.example.net.',
  ]);
  const org = zone('org', [
    soa('ns.nic.org.'), '@ NS ns.nic.org.', `ns.nic.org. A ${ip(1, 3)}`,
    'example NS ns1.example.org.', `ns1.example A ${ip(2, 3)}`,
    'glueless NS ns.glue.example.net.',
    'insecure NS ns1.example.org.',
  ]);
  const bigTxt = Array.from({ length: 40 }, (_, i) => `big TXT line ${i} of an answer far too long for one UDP datagram`);
  const exampleCom = zone('example.com', [
    soa('ns1.example.com.'), '@ NS ns1', '@ NS ns2', `ns1 A ${ip(2, 1)}`, `ns2 A ${ip(2, 2)}`,
    '@ MX 10 mail', '@ TXT v=spf1 -all', 'mail A 192.0.2.25',
    'www 300 A 192.0.2.80', 'www 300 AAAA 2001:db8::80',
    'pool 60 A 192.0.2.1', 'pool 60 A 192.0.2.2', 'pool 60 A 192.0.2.3', 'pool 60 A 192.0.2.4',
    'start CNAME hop.example.net.', 'loop CNAME loop.example.net.', 'old DNAME example.net.',
    '*.any TXT made from the wildcard *.any.example.com',
    ...bigTxt,
  ]);
  const exampleNet = zone('example.net', [
    soa('ns1.example.net.'), '@ NS ns1', `ns1 A ${ip(2, 2)}`, `ns.glue A ${ip(2, 3)}`,
    'hop CNAME end.example.org.', 'loop CNAME loop.example.com.', 'x A 198.51.100.10',
  ]);
  const exampleOrg = zone('example.org', [soa('ns1.example.org.'), '@ NS ns1', `ns1 A ${ip(2, 3)}`, 'end A 203.0.113.7']);
  const glueless = zone('glueless.org', [soa('ns.glue.example.net.'), '@ NS ns.glue.example.net.', 'www A 203.0.113.99']);
  const insecure = zone('insecure.org', [soa('ns1.example.org.'), '@ NS ns1.example.org.', 'www A 203.0.113.70']);
  const expired = zone('expired.com', [soa('ns1.example.com.'), '@ NS ns1.example.com.', 'www A 192.0.2.70']);
  const wrongDs = zone('wrong-ds.net', [soa('ns1.example.net.'), '@ NS ns1.example.net.', 'www A 198.51.100.70']);
  return [
    { label: 'a.root.lab', address: ip(0, 1), zones: [root] },
    { label: 'b.root.lab', address: ip(0, 2), zones: [root] },
    { label: 'ns.nic.com', address: ip(1, 1), zones: [com] },
    { label: 'ns.nic.net', address: ip(1, 2), zones: [net] },
    { label: 'ns.nic.org', address: ip(1, 3), zones: [org] },
    { label: 'ns1.example.com', address: ip(2, 1), zones: [exampleCom, expired] },
    { label: 'ns2.example.com', address: ip(2, 2), zones: [exampleCom, exampleNet, wrongDs] },
    { label: 'ns1.example.org', address: ip(2, 3), zones: [exampleOrg, glueless, insecure] },
    { label: 'ns.broken.net', address: ip(2, 4), zones: [], lame: true },
  ];
}

export const LAB_EXAMPLES: LabExample[] = [
  { name: 'www.example.com', type: 'A', what: 'root → com → example.com, glue all the way' },
  { name: 'www.example.com', type: 'A', dig: '+dnssec', what: 'secure: the ad flag, and the RRSIG that signs the answer' },
  { name: '.', type: 'DNSKEY', dig: '+dnssec +multi', what: "the lab root's key: lab.root.ds, the trust anchor, is its DS" },
  { name: 'example.com', type: 'DS', dig: '+dnssec', what: 'the link: com publishes and signs the DS of example.com\'s key' },
  { name: 'example.com', type: 'MX', what: 'an MX record' },
  { name: 'pool.example.com', type: 'A', what: 'four A records: ask twice, watch the round-robin' },
  { name: 'start.example.com', type: 'A', what: 'a CNAME chain across com → net → org' },
  { name: 'x.old.example.com', type: 'A', what: 'a DNAME (old.example.com → example.net)' },
  { name: 'www.glueless.org', type: 'A', what: 'a glueless delegation: its name server is resolved first' },
  { name: 'nope.example.com', type: 'A', what: 'NXDOMAIN with the zone SOA' },
  { name: 'nope.example.com', type: 'A', dig: '+dnssec', what: 'secure NXDOMAIN: NSEC records span the gap where the name would be' },
  { name: 'nope.example.net', type: 'A', dig: '+dnssec', what: 'secure NXDOMAIN from an NSEC3 zone: hashed names cover it' },
  { name: 'hello.any.example.com', type: 'TXT', dig: '+dnssec', what: 'a wildcard answer: RRSIG labels 3, an NSEC shows no closer name' },
  { name: 'www.example.com', type: 'MX', what: 'NODATA: the name exists, the type does not' },
  { name: 'loop.example.com', type: 'A', what: 'a CNAME loop: SERVFAIL, and the EDE says why' },
  { name: 'www.lame.com', type: 'A', what: 'a lame delegation: SERVFAIL with an EDE naming the server' },
  { name: 'big.example.com', type: 'TXT', what: 'too big for UDP: TC=1, dig retries over TCP' },
  { name: 'www.insecure.org', type: 'A', dig: '+dnssec', what: 'insecure delegation: an answer, but no ad flag' },
  { name: 'insecure.org', type: 'DS', dig: '+dnssec', what: "why: org's signed NSEC at the cut lists NS and no DS" },
  { name: 'www.expired.com', type: 'A', what: 'bogus, signatures expired: SERVFAIL with EDE 7' },
  { name: 'www.expired.com', type: 'A', dig: '+cd +dnssec', what: '+cd (checking disabled): the data anyway, and the old RRSIG' },
  { name: 'www.wrong-ds.net', type: 'A', what: "bogus, the DS in net matches none of the zone's keys: SERVFAIL with EDE 9" },
  { name: 'www.wrong-ds.net', type: 'A', dig: '+cd', what: '+cd: the data anyway' },
];
