// The DNS rebinding guard (as Unbound's private-address / private-domain): A and AAAA records that point into the
// home network's own address ranges are taken out of answers for names outside the domains allowed to have
// them, so a web page from evil.example cannot make the browser talk to the router under evil.example's name.
// Off by default: split-horizon set-ups rely on private answers from public names.
import { EdeCode } from '../wire/ede.js';
import { canonical, isInZone } from '../wire/names.js';
import { inAnyCidr, type Cidr } from '../util/cidr.js';
import type { Resolution } from '../resolver/resolution.js';
import type { QueryContext, ResultFilter } from './stage.js';

/** What `private-addresses: default` stands for: RFC 1918, loopback, link-local, CGNAT (RFC 6598), ULA, mapped. */
export const DEFAULT_PRIVATE_ADDRESSES: readonly string[] = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '100.64.0.0/10',
  '0.0.0.0/8',
  '::1/128',
  'fe80::/10',
  'fc00::/7',
  '::ffff:0:0/96',
];

export function rebindingGuard(networks: readonly Cidr[], privateDomains: readonly string[]): ResultFilter {
  const domains = privateDomains.map(canonical);
  const mayBePrivate = (name: string): boolean => domains.some((d) => isInZone(name, d));
  return {
    name: 'rebinding-guard',
    filter: (ctx: QueryContext, result: Resolution): Resolution | null => {
      if (mayBePrivate(canonical(ctx.question.name))) return null;
      const removed: string[] = [];
      const answer = result.answer.filter((rr) => {
        const hit = (rr.type === 'A' || rr.type === 'AAAA') && !mayBePrivate(canonical(rr.name)) && inAnyCidr(networks, rr.data as string);
        if (hit) removed.push(rr.data as string);
        return !hit;
      });
      if (removed.length === 0) return null;
      const text = `private address ${removed.join(', ')} removed from the answer for ${ctx.question.name} (rebinding guard: not in private-domains)`;
      // Something of the asked type left: send it. Nothing left: NODATA, saying why.
      const left = answer.some((rr) => rr.type === ctx.question.type);
      return left ? { ...result, answer } : { ...result, answer, authority: [], ede: { code: EdeCode.BLOCKED, text } };
    },
  };
}
