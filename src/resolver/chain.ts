// Following CNAMEs (RFC 1034 §3.6.2) from the asked name until data, a negative answer, a failure or a limit:
// each name is one step (cache or iteration), the chain collects the CNAMEs and guards against loops.
import { EdeCode } from '../wire/ede.js';
import { canonical } from '../wire/names.js';
import { Rcode, type RR } from '../wire/types.js';
import type { Request } from './request.js';
import type { Resolution } from './resolution.js';
import { weakest, type Security, type Step } from './step.js';

export type StepResolver = (name: string, qtype: string, req: Request) => Promise<Step>;

export class ChainResolver {
  constructor(
    private readonly step: StepResolver,
    private readonly maxCnameChain: number,
  ) {}

  async resolve(qname: string, qtype: string, req: Request): Promise<Resolution> {
    const chain: RR[] = [];
    // DNSSEC: every step's RRSIGs and proofs go with the answer; it is as secure as its weakest step.
    const sigs: RR[] = [];
    let security: Security | undefined;
    let note: Resolution['ede'];
    const seen = new Set<string>([canonical(qname)]);
    let cnames = 0;
    let name = qname;
    for (;;) {
      const step = await this.step(name, qtype, req);
      if (step.kind === 'fail') {
        req.step({ kind: 'fail', qname: name, qtype, reason: step.reason, depth: req.depth });
        return { rcode: Rcode.SERVFAIL, answer: [], authority: [], ede: step.ede, ...(step.limit ? { limit: step.limit } : {}) };
      }
      if (step.sigs) sigs.push(...step.sigs);
      note ??= step.note;
      security = security === undefined ? (step.security ?? 'unchecked') : weakest(security, step.security);
      const signed = (authority: RR[] = []): Pick<Resolution, 'security' | 'dnssec' | 'ede'> => ({ security: security ?? 'unchecked', dnssec: { answer: sigs, authority }, ...(note ? { ede: note } : {}) });
      for (const c of step.cnames) {
        chain.push(c);
        if (c.type !== 'CNAME') continue; // a DNAME travels with the CNAME synthesised from it
        const target = canonical(c.data as string);
        if (seen.has(target)) return failed(`CNAME loop at ${target}`);
        if (++cnames > this.maxCnameChain) {
          const detail = `CNAME chain longer than ${this.maxCnameChain}`;
          req.noteLimit({ limit: 'cname-chain', detail });
          return { ...failed(detail), limit: 'cname-chain' };
        }
        seen.add(target);
      }
      switch (step.kind) {
        case 'answer':
          return { rcode: Rcode.NOERROR, answer: chain.concat(step.records), authority: [], ...signed(step.proof) };
        case 'nxdomain':
          return { rcode: Rcode.NXDOMAIN, answer: chain, authority: step.soa ? [step.soa] : [], ...signed(step.proof) };
        case 'nodata':
          return { rcode: Rcode.NOERROR, answer: chain, authority: step.soa ? [step.soa] : [], ...signed(step.proof) };
        case 'continue':
          name = step.target;
          break;
        default: {
          const never: never = step;
          throw new Error(`unhandled step ${String(never)}`);
        }
      }
    }
  }
}

function failed(reason: string): Resolution {
  return { rcode: Rcode.SERVFAIL, answer: [], authority: [], ede: { code: EdeCode.OTHER, text: reason } };
}
