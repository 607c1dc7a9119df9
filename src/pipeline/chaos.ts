// Class CHAOS questions (the debugging convention of `version.bind`), answered here and never cached:
// - version.bind / version.server: "rootline VERSION"; hostname.bind / id.server: the configured identity;
// - any other name: the journey of that name's IN question through the running server, one TXT record a step
//   (`dig @resolver -c CH TXT www.example.com`). A first label `_TYPE` asks for another type than A
//   (`_aaaa.www.example.com`, `_mx.example.com`). Only `debug-clients` may ask: the journey shows what the
//   cache holds (cache snooping); others get REFUSED.
import { walk, type JourneyParts } from '../journey.js';
import type { Acl } from '../policy/acl.js';
import type { ClientInfo } from '../policy/stage.js';
import type { Resolution } from '../resolver/resolution.js';
import { VERSION } from '../version.js';
import { absolute, canonical } from '../wire/names.js';
import { formatRecord } from '../wire/present.js';
import { Rcode, type Question, type RR } from '../wire/types.js';

/** RFC 1035 §3.3.14: one character-string holds at most 255 bytes. */
const MAX_STRING = 255;

const IDENTITY_NAMES = new Set(['hostname.bind', 'id.server']);
const VERSION_NAMES = new Set(['version.bind', 'version.server']);

function txt(owner: string, text: string): RR {
  return { name: owner, type: 'TXT', class: 'CH', ttl: 0, data: [Buffer.from(text, 'utf8')] };
}

/** A line cut into pieces of at most 255 bytes, never inside a character. */
function pieces(line: string): string[] {
  const out: string[] = [];
  let piece = '';
  for (const ch of line) {
    if (Buffer.byteLength(piece + ch) > MAX_STRING) {
      out.push(piece);
      piece = '';
    }
    piece += ch;
  }
  out.push(piece);
  return out;
}

/** The IN question a journey name asks: `_aaaa.www.example.com` → www.example.com AAAA. */
export function journeyQuestion(name: string): Question {
  const c = canonical(name);
  const m = /^_([a-z0-9]+)\.(.+)$/.exec(c);
  return m ? { name: m[2]!, type: m[1]!.toUpperCase(), class: 'IN' } : { name: c, type: 'A', class: 'IN' };
}

function resultLines(r: Resolution, ms: number): string[] {
  const rcode = Object.entries(Rcode).find(([, v]) => v === r.rcode)?.[0] ?? String(r.rcode);
  return [`status: ${rcode}${r.ede ? ` (EDE ${r.ede.code}: ${r.ede.text})` : ''}`, ...r.answer.map(formatRecord), ...r.authority.map((a) => `authority: ${formatRecord(a)}`), `${ms} ms`];
}

export async function chaosAnswer(q: Question, parts: JourneyParts, identity: string): Promise<Resolution> {
  const name = canonical(q.name);
  if (q.type !== 'TXT' && q.type !== 'ANY') return { rcode: Rcode.NOERROR, answer: [], authority: [] };
  if (VERSION_NAMES.has(name)) return { rcode: Rcode.NOERROR, answer: [txt(q.name, `rootline ${VERSION}`)], authority: [] };
  if (IDENTITY_NAMES.has(name)) return { rcode: Rcode.NOERROR, answer: pieces(identity).map((p) => txt(q.name, p)), authority: [] };
  const asked = journeyQuestion(name);
  const lines: string[] = [];
  const started = performance.now();
  const r = await walk(parts, asked, (line) => lines.push(line.trim()));
  const ms = Math.round(performance.now() - started);
  const tail = r === 'dropped' ? ['no answer: a policy drops this query'] : resultLines(r, ms);
  // Plain ASCII: dig shows any other byte as a \DDD escape.
  const steps = [`journey of ${absolute(asked.name)} IN ${asked.type}`, ...lines, ...tail].map((l) => l.replace(/→/g, '->').replace(/—/g, '-').replace(/\t+/g, ' '));
  // Long steps are split, never cut: every byte of the journey is in some record, in order.
  return { rcode: Rcode.NOERROR, answer: steps.flatMap(pieces).map((piece) => txt(q.name, piece)), authority: [] };
}

/** How long a journey asked over UDP is kept for the client's TCP retry (after TC=1). */
const RETRY_KEEP_MS = 5_000;
const RETRIES_KEPT = 64;

/**
 * A journey too long for UDP comes back TC=1 and the client asks again over TCP. Resolving it again would show
 * only cache hits: the first TCP ask for a question this client just asked over UDP gets that journey.
 */
export class ChaosAnswers {
  private readonly askedOverUdp = new Map<string, { at: number; answer: Promise<Resolution> }>();

  constructor(
    private readonly parts: JourneyParts,
    private readonly identity: string,
    /** Who may ask (`debug-clients`): a journey shows what the cache holds; the others get REFUSED. */
    private readonly askers: Acl,
  ) {}

  answer(q: Question, client: ClientInfo): Promise<Resolution> {
    if (!this.askers.allows(client.address)) return Promise.resolve({ rcode: Rcode.REFUSED, answer: [], authority: [] });
    const now = Date.now();
    for (const [k, v] of this.askedOverUdp) if (now - v.at > RETRY_KEEP_MS) this.askedOverUdp.delete(k);
    const key = `${client.address}|${canonical(q.name)}|${q.type}`;
    if (client.transport !== 'udp') {
      const kept = this.askedOverUdp.get(key);
      this.askedOverUdp.delete(key);
      if (kept) return kept.answer;
      return chaosAnswer(q, this.parts, this.identity);
    }
    const answer = chaosAnswer(q, this.parts, this.identity);
    this.askedOverUdp.delete(key);
    if (this.askedOverUdp.size >= RETRIES_KEPT) this.askedOverUdp.delete(this.askedOverUdp.keys().next().value!);
    this.askedOverUdp.set(key, { at: now, answer });
    return answer;
  }
}
