// An authoritative answerer for the lab: given the zones one server holds and a query, the reply a real
// authoritative server gives (RFC 1034 §4.3.2): referrals with glue at zone cuts, CNAME/DNAME chains inside its
// zones, NXDOMAIN/NODATA with the SOA (RFC 2308 §3), REFUSED outside its zones. Pure: packets in, packets out.
import type { Answer, Packet } from 'dns-packet';
import type { WirePacket } from '../wire/decode.js';
import { canonical, isInZone } from '../wire/names.js';
import type { RR } from '../wire/types.js';

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

function closestZone(zones: Zone[], name: string): Zone | undefined {
  return zones.filter((z) => isInZone(name, z.origin)).sort((a, b) => b.origin.length - a.origin.length)[0];
}

/** The reply (without ID, question or OPT; the server adds those) for one question. */
export function answerQuestion(zones: Zone[], qname: string, qtype: string): Packet {
  const first = closestZone(zones, qname);
  if (!first) return { type: 'response', flags: 5 }; // REFUSED: not our zone
  const answers: RR[] = [];
  let name = canonical(qname);
  let z: Zone | undefined = first;
  for (let hops = 0; z && hops < 16; hops++) {
    const cut = delegationFor(z, name);
    if (cut) {
      if (answers.length > 0) break; // the chain left our authority: the resolver follows it
      return { type: 'response', flags: 0, answers: [], authorities: cut as unknown as Answer[], additionals: glueFor(zones, cut) as unknown as Answer[] };
    }
    const here = z.records.filter((r) => same(r.name, name));
    const data = here.filter((r) => r.type === qtype);
    if (data.length > 0) return { type: 'response', flags: AA, answers: [...answers, ...data] as unknown as Answer[] };
    const cname = here.find((r) => r.type === 'CNAME');
    const dname = z.records.find((r) => r.type === 'DNAME' && !same(r.name, name) && isInZone(name, r.name));
    if (cname && qtype !== 'CNAME') {
      answers.push(cname);
      name = canonical(cname.data as string);
    } else if (dname) {
      // RFC 6672 §3.1: the DNAME and the CNAME synthesised from it.
      const target = `${name.slice(0, -(canonical(dname.name).length + 1))}.${canonical(dname.data as string)}`;
      answers.push(dname, { name, type: 'CNAME', class: 'IN', ttl: dname.ttl, data: target });
      name = target;
    } else {
      const exists = z.records.some((r) => isInZone(r.name, name)); // the name or an empty non-terminal
      const soa = soaOf(z);
      return {
        type: 'response',
        flags: AA | (exists ? 0 : 3),
        answers: answers as unknown as Answer[],
        authorities: (soa ? [soa] : []) as unknown as Answer[],
      };
    }
    z = closestZone(zones, name);
  }
  return { type: 'response', flags: AA, answers: answers as unknown as Answer[] };
}

/** Answers a decoded query; `udpLimit` set for UDP replies (TC=1 and no records when it does not fit). */
export function answerQuery(zones: Zone[], q: WirePacket): Packet {
  const question = q.questions?.[0];
  if (!question) return { type: 'response', id: q.id ?? 0, flags: 1 };
  const reply = answerQuestion(zones, question.name, question.type);
  const hasOpt = (q.additionals ?? []).some((a) => a.type === 'OPT');
  return {
    ...reply,
    id: q.id ?? 0,
    flags: (reply.flags ?? 0) | ((q.flags ?? 0) & 0x0100),
    questions: [question],
    additionals: [...(reply.additionals ?? []), ...(hasOpt ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] } as Answer] : [])],
  };
}
