// An authoritative answerer for the lab: given the zones one server holds and a query, the reply a real
// authoritative server gives (RFC 1034 §4.3.2): referrals with glue at zone cuts, CNAME/DNAME chains inside its
// zones, wildcards (RFC 4592), NXDOMAIN/NODATA with the SOA (RFC 2308 §3), REFUSED outside its zones; with DO=1
// the RRSIGs and denial proofs of signed zones (RFC 4035 §3.1, denial-proofs.ts). Pure: packets in, packets out.
import type { Answer, Packet } from 'dns-packet';
import { DO_BIT } from '../wire/edns.js';
import type { WirePacket } from '../wire/decode.js';
import { canonical, isInZone, parentOf } from '../wire/names.js';
import type { RR } from '../wire/types.js';
import { nodataProof, nxdomainProof, referralDnssec, rrsigsFor, wildcardAnswerProof, wildcardNodataProof } from './denial-proofs.js';

export interface Zone {
  origin: string;
  records: RR[];
}

const AA = 0x0400;
const same = (a: string, b: string): boolean => canonical(a) === canonical(b);

/** Parses compact zone text: `owner [ttl] TYPE data…` per line, `@` for the origin, relative names allowed. */
export function zone(origin: string, lines: string[], defaultTtl = 3600): Zone {
  const abs = (n: string): string => (n === '@' ? canonical(origin) : n.endsWith('.') ? canonical(n) : canonical(`${n}.${origin}`));
  const records = lines.map((line): RR => {
    const f = line.trim().split(/\s+/);
    const owner = abs(f.shift()!);
    const ttl = /^\d+$/.test(f[0]!) ? Number(f.shift()) : defaultTtl;
    const type = f.shift()!.toUpperCase();
    const rest = f;
    const data = ((): unknown => {
      switch (type) {
        case 'A':
        case 'AAAA':
          return rest[0];
        case 'NS':
        case 'CNAME':
        case 'DNAME':
        case 'PTR':
          return abs(rest[0]!);
        case 'MX':
          return { preference: Number(rest[0]), exchange: abs(rest[1]!) };
        case 'TXT':
          return [Buffer.from(rest.join(' ').replace(/^"|"$/g, ''))];
        case 'SOA':
          return { mname: abs(rest[0]!), rname: abs(rest[1]!), serial: Number(rest[2]), refresh: Number(rest[3]), retry: Number(rest[4]), expire: Number(rest[5]), minimum: Number(rest[6]) };
        case 'SRV':
          return { priority: Number(rest[0]), weight: Number(rest[1]), port: Number(rest[2]), target: abs(rest[3]!) };
        default:
          throw new Error(`lab zone ${origin}: unsupported type ${type} in '${line}'`);
      }
    })();
    return { name: owner, type, class: 'IN', ttl, data };
  });
  return { origin: canonical(origin), records };
}

function soaOf(z: Zone): RR | undefined {
  const soa = z.records.find((r) => r.type === 'SOA' && same(r.name, z.origin));
  if (!soa) return undefined;
  const minimum = (soa.data as { minimum: number }).minimum;
  return { ...soa, ttl: Math.min(soa.ttl, minimum) }; // RFC 2308 §3
}

/**
 * The records that make up the zone's namespace. NSEC3 records (and their RRSIGs) live under hashed owner names
 * that are not names of the zone (RFC 5155 §7.2.8): they are found only through denial-proofs.ts.
 */
function namespace(z: Zone): RR[] {
  return z.records.filter((r) => r.type !== 'NSEC3' && !(r.type === 'RRSIG' && (r.data as { typeCovered: string }).typeCovered === 'NSEC3'));
}

/** The zone cut (delegation NS set) at or above `name` inside `z`, if any. */
function delegationFor(z: Zone, name: string): RR[] | null {
  let best: RR[] | null = null;
  for (const r of z.records) {
    if (r.type !== 'NS' || same(r.name, z.origin) || !isInZone(name, r.name)) continue;
    if (!best || canonical(r.name).length > canonical(best[0]!.name).length) best = z.records.filter((x) => x.type === 'NS' && same(x.name, r.name));
  }
  return best;
}

function glueFor(zones: Zone[], ns: RR[]): RR[] {
  const targets = new Set(ns.map((r) => canonical(r.data as string)));
  return zones.flatMap((z) => z.records.filter((r) => (r.type === 'A' || r.type === 'AAAA') && targets.has(canonical(r.name))));
}

/**
 * The zone of ours closest to `name`. RFC 4035 §3.1.4.1: a DS RRset lives on the parent side of a cut, so a DS
 * query for a child apex goes to the parent when we hold it too.
 */
function closestZone(zones: Zone[], name: string, qtype = ''): Zone | undefined {
  const candidates = zones.filter((z) => isInZone(name, z.origin)).sort((a, b) => b.origin.length - a.origin.length);
  if (qtype === 'DS' && candidates.length > 1 && same(candidates[0]!.origin, name)) return candidates[1];
  return candidates[0];
}

/** The longest existing ancestor of a name that does not exist (RFC 4592 §3.3.1): names and empty non-terminals. */
function closestEncloser(records: readonly RR[], name: string): string {
  let n = parentOf(name);
  while (n !== '.' && !records.some((r) => isInZone(r.name, n))) n = parentOf(n);
  return n;
}

const wildcardOf = (encloser: string): string => (encloser === '.' ? '*' : `*.${encloser}`);

export interface AnswerOptions {
  /** The query's DO bit (RFC 3225): add RRSIGs and denial proofs from signed zones (RFC 4035 §3.1). */
  dnssec?: boolean;
}

const asAnswers = (rrs: readonly RR[]): Answer[] => rrs as unknown as Answer[];

/** The reply (without ID, question or OPT; the server adds those) for one question. */
export function answerQuestion(zones: Zone[], qname: string, qtype: string, o: AnswerOptions = {}): Packet {
  const first = closestZone(zones, qname, qtype);
  if (!first) return { type: 'response', flags: 5 }; // REFUSED: not our zone
  const dnssec = o.dnssec === true;
  /** An RRset and, with DO, its RRSIGs (renamed to the owner a wildcard was expanded to). */
  const signed = (z: Zone, rrset: RR[], owner?: string): RR[] => {
    if (!dnssec || rrset.length === 0) return rrset;
    const sigs = rrsigsFor(z, rrset[0]!.name, rrset[0]!.type).map((s) => ({ ...s, name: owner ?? s.name, ttl: rrset[0]!.ttl }));
    return [...rrset, ...sigs];
  };
  const proofs = (make: () => RR[]): RR[] => (dnssec ? make() : []);
  const answers: RR[] = [];
  /** Proofs for wildcard expansions on the way (RFC 4035 §3.1.3.3), sent in the authority section. */
  const expansions: RR[] = [];
  const positive = (): Packet => ({
    type: 'response',
    flags: AA,
    answers: asAnswers(answers),
    ...(expansions.length > 0 ? { authorities: asAnswers(expansions) } : {}),
  });
  let name = canonical(qname);
  let z: Zone | undefined = first;
  for (let hops = 0; z && hops < 16; hops++) {
    const zone: Zone = z;
    const cut = delegationFor(zone, name);
    // RFC 4035 §3.1.4.1: the DS at a cut is the parent's own data, answered here, not referred.
    const dsAtCut = cut !== null && qtype === 'DS' && same(cut[0]!.name, name);
    if (cut && !dsAtCut) {
      if (answers.length > 0) break; // the chain left our authority: the resolver follows it
      return {
        type: 'response',
        flags: 0,
        answers: [],
        authorities: asAnswers([...cut, ...proofs(() => referralDnssec(zone, cut[0]!.name))]),
        additionals: asAnswers(glueFor(zones, cut)),
      };
    }
    const records = namespace(zone);
    const negative = (rcode: number, proof: () => RR[]): Packet => {
      const soa = soaOf(zone);
      return {
        type: 'response',
        flags: AA | rcode,
        answers: asAnswers(answers),
        authorities: asAnswers([...expansions, ...(soa ? signed(zone, [soa]) : []), ...proofs(proof)]),
      };
    };
    const here = records.filter((r) => same(r.name, name) && (!dsAtCut || r.type === 'DS'));
    const data = here.filter((r) => r.type === qtype);
    if (data.length > 0) {
      answers.push(...signed(zone, data));
      return positive();
    }
    const cname = here.find((r) => r.type === 'CNAME');
    const dname = records.find((r) => r.type === 'DNAME' && !same(r.name, name) && isInZone(name, r.name));
    if (cname && qtype !== 'CNAME') {
      answers.push(...signed(zone, [cname]));
      name = canonical(cname.data as string);
    } else if (dname) {
      // RFC 6672 §3.1: the DNAME and the CNAME synthesised from it (unsigned: a validator checks the DNAME).
      const target = `${name.slice(0, -(canonical(dname.name).length + 1))}.${canonical(dname.data as string)}`;
      answers.push(...signed(zone, [dname]), { name, type: 'CNAME', class: 'IN', ttl: dname.ttl, data: target });
      name = target;
    } else if (here.length > 0 || records.some((r) => isInZone(r.name, name))) {
      const at = name;
      return negative(0, () => nodataProof(zone, at)); // the name, or an empty non-terminal, without the type
    } else {
      // RFC 4592 §3.3: no such name; the wildcard at its closest encloser, if there is one, answers for it.
      const at = name;
      const encloser = closestEncloser(records, at);
      const source = records.filter((r) => same(r.name, wildcardOf(encloser)));
      if (source.length === 0) return negative(3, () => nxdomainProof(zone, at, encloser));
      const expand = (rrs: RR[]): RR[] => rrs.map((r) => ({ ...r, name: at }));
      const wdata = source.filter((r) => r.type === qtype);
      const wcname = source.find((r) => r.type === 'CNAME');
      if (wdata.length === 0 && !(wcname && qtype !== 'CNAME')) return negative(0, () => wildcardNodataProof(zone, at, encloser));
      expansions.push(...proofs(() => wildcardAnswerProof(zone, at, encloser)));
      if (wdata.length > 0) {
        answers.push(...expand(signed(zone, wdata)));
        return positive();
      }
      answers.push(...expand(signed(zone, [wcname!])));
      name = canonical(wcname!.data as string);
    }
    z = closestZone(zones, name, qtype);
  }
  return positive();
}

/** The query's DO bit (RFC 3225 §3), from its OPT record. */
function wantsDnssec(q: WirePacket): boolean {
  const opt = (q.additionals ?? []).find((a) => a.type === 'OPT') as { flags?: number } | undefined;
  return ((opt?.flags ?? 0) & DO_BIT) !== 0;
}

/** Answers a decoded query; `udpLimit` set for UDP replies (TC=1 and no records when it does not fit). */
export function answerQuery(zones: Zone[], q: WirePacket): Packet {
  const question = q.questions?.[0];
  if (!question) return { type: 'response', id: q.id ?? 0, flags: 1 };
  const dnssec = wantsDnssec(q);
  const reply = answerQuestion(zones, question.name, question.type, { dnssec });
  const hasOpt = (q.additionals ?? []).some((a) => a.type === 'OPT');
  // RFC 3225 §3: the DO bit is copied into the reply.
  const opt = { type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: dnssec ? DO_BIT : 0, flag_do: dnssec, options: [] } as Answer;
  return {
    ...reply,
    id: q.id ?? 0,
    flags: (reply.flags ?? 0) | ((q.flags ?? 0) & 0x0100),
    questions: [question],
    additionals: [...(reply.additionals ?? []), ...(hasOpt ? [opt] : [])],
  };
}
