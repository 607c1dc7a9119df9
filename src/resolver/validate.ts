// The validator hook: the one point where a classified reply is judged before anything from it is cached or
// followed (RFC 4035 §5). Until DNSSEC validation exists the hook is a no-op that judges nothing; a validator
// fetches DS/DNSKEY through `req.sub()` and says secure, insecure or bogus (RFC 4033 §5).
import type { Classification } from './classify.js';
import type { Request } from './request.js';

export type Verdict =
  | { kind: 'unchecked' }
  | { kind: 'secure' }
  /** `ede`: 1/2 (unsupported algorithm/digest) or 27 (NSEC3 iterations), shown with the answer. */
  | { kind: 'insecure'; reason: string; ede?: number }
  /** `ede`: RFC 8914 6–12; `reason` names the zone, key tag and step. */
  | { kind: 'bogus'; reason: string; ede: number };

export interface ReplyContext {
  /** The zone whose server gave the reply. */
  zone: string;
  qname: string;
  qtype: string;
}

export interface Validator {
  check(reply: Exclude<Classification, { kind: 'lame' }>, ctx: ReplyContext, req: Request): Verdict | Promise<Verdict>;
}

/** No validation: every reply is taken as it is. */
export const noValidation: Validator = {
  check: () => ({ kind: 'unchecked' }),
};
