// Iteration for one name (RFC 1034 §5.3.3): from the closest known zone cut follow referrals down to the
// servers that answer, minimising the query name on the way (RFC 9156). Each reply goes through the same
// steps: classify (with scrub, in the zone query) → the validator hook → learn (every cache write).
import { EdeCode } from '../wire/ede.js';
import { canonical, isInZone, labelCount, parentOf } from '../wire/names.js';
import type { Learner } from './learn.js';
import type { LimitName, Limits } from './limits.js';
import { nextTarget, startMinimising } from './minimise.js';
import type { MinimiseMemory } from './minimise-memory.js';
import type { Request } from './request.js';
import type { Step, ZoneCut } from './step.js';
import type { Validator } from './validate.js';
import type { ZoneCuts } from './zone-cut.js';
import type { ZoneQuerier } from './zone-query.js';

export interface IteratorDeps {
  cuts: ZoneCuts;
  zones: ZoneQuerier;
  learner: Learner;
  validator: Validator;
  limits: Limits;
  qnameMinimisation: boolean;
  minimiseMemory: MinimiseMemory;
}

function fail(reason: string, code: number, limit?: LimitName): Step {
  return { kind: 'fail', reason, ede: { code, text: reason }, ...(limit ? { limit } : {}) };
}

export class Iterator {
  constructor(private readonly d: IteratorDeps) {}

  /**
   * When the servers of a cached child NS set fail, the parent's delegation: RFC 2181 §5.4.1 lets the child's
   * NS set replace the parent's in the cache, not erase it. The walk starts again above the zone and follows a
   * fresh referral (once per zone). Null when that was tried, or the NS set is the parent's already.
   */
  private otherSide(cut: ZoneCut, qtype: string, failed: Set<string>): ZoneCut | null {
    const zone = canonical(cut.zone);
    if (cut.side !== 'child' || zone === '.' || failed.has(zone)) return null;
    failed.add(zone);
    return this.d.cuts.closest(parentOf(zone), qtype === 'DS' ? 'NS' : qtype);
  }

  /** Walks down from the closest known zone cut until a server gives an answer for `name`. */
  async iterate(name: string, qtype: string, req: Request): Promise<Step> {
    let cut = this.d.cuts.closest(name, qtype);
    if (cut.configured) req.step({ kind: 'configured', zone: cut.zone, mode: cut.configured.mode, action: 'use', depth: req.depth });
    // RFC 9156 §2: DS lives at the parent and is asked as is.
    const mini = startMinimising(this.d.qnameMinimisation && qtype !== 'DS');
    const memory = this.d.minimiseMemory;
    /**
     * A minimised query that failed or was denied, whose zone the full-name reply judges: if that works where the
     * minimised one did not, the zone is not minimised in again; a denial of both means RFC 8020 holds there.
     */
    let checking = null as { zone: string; after: 'failure' | 'nxdomain' } | null;
    /** Zones whose cached child NS set failed and which were asked through the parent's delegation instead. */
    const failedSides = new Set<string>();
    for (let steps = 0; ; steps++) {
      if (steps > this.d.limits.maxReferrals) {
        const reason = `more than ${this.d.limits.maxReferrals} referrals for ${name}`;
        req.noteLimit({ limit: 'referrals', detail: reason });
        return fail(reason, EdeCode.OTHER, 'referrals');
      }
      // A forwarder resolves the whole name for us: minimising towards it would only cost round trips. A zone where
      // minimisation failed before is asked the full name straight away.
      const fullName = cut.configured?.mode === 'forward' || !memory.shouldMinimise(cut.zone);
      const target = fullName ? name : nextTarget(name, cut.zone, mini);
      const minimised = target !== name;
      if (minimised) mini.sent++;
      // RFC 9156 §2.1: minimised queries ask for A, which every server answers sensibly.
      const askedType = minimised ? 'A' : qtype;
      const asked = await this.d.zones.query(cut, target, askedType, req);
      if (asked.kind === 'failed') {
        const hit = req.budget.limitHit;
        if (minimised && !hit) {
          // Relaxed mode (RFC 9156 §2.3): a server that chokes on the minimised name gets the full one. When a
          // server said no to it (silence may be loss or a rate limiter) and the full name then works, the zone is
          // remembered so the next names in it do not pay for the failure again.
          mini.on = false;
          if (asked.refused) checking = { zone: cut.zone, after: 'failure' };
          continue;
        }
        if (cut.configured?.fallback === 'recurse' && !hit) {
          // Unbound's forward-first / stub-first: as if the zone were not configured, from the closest real cut.
          req.step({ kind: 'configured', zone: cut.zone, mode: cut.configured.mode, action: 'fallback', depth: req.depth });
          cut = this.d.cuts.closest(name, qtype, true);
          mini.askedLabels = 0;
          continue;
        }
        const other = hit || cut.configured ? null : this.otherSide(cut, qtype, failedSides);
        if (other) {
          cut = other;
          mini.askedLabels = 0;
          continue;
        }
        // RFC 8914 §4: 22 No Reachable Authority, 23 Network Error; a limit hit has no code of its own (0 Other).
        const code = hit ? EdeCode.OTHER : asked.networkError ? EdeCode.NETWORK_ERROR : EdeCode.NO_REACHABLE_AUTHORITY;
        const servers = cut.configured ? `no ${cut.configured.mode} server for ${cut.zone}` : `no server for ${cut.zone}`;
        const why = hit ? `${hit.detail} while asking ${cut.zone} for ${target}` : `${servers} answered`;
        return fail(`${why}: ${req.budget.failures.slice(-6).join(', ')}`.replace(/: $/, ''), code, hit?.limit);
      }
      const c = asked.c;
      if (!minimised && checking?.zone === cut.zone) {
        if (checking.after === 'nxdomain' && c.kind === 'nxdomain') memory.confirmedNxdomain(cut.zone);
        else memory.failed(cut.zone);
        checking = null;
      }
      // The one point where a reply is judged before anything from it is cached or followed.
      const verdict = await this.d.validator.check(c, { zone: cut.zone, qname: target, qtype: askedType }, req);
      if (verdict.kind === 'bogus' && !req.checkingDisabled) {
        // RFC 4035 §4.7: bogus data is kept briefly, marked, so the next queries fail fast (and CD=1 ones get it).
        if (c.kind !== 'referral') this.d.learner.reply(c, askedType, verdict);
        return fail(verdict.reason, verdict.ede);
      }
      if (c.kind === 'referral') {
        // RFC 1034 §5.3.3 4b: the new cut must be closer to the name than the old one, or it is a loop.
        if (!isInZone(c.zone, cut.zone) || canonical(c.zone) === canonical(cut.zone)) {
          return fail(`referral from ${cut.zone} to ${c.zone} does not lead down`, EdeCode.OTHER);
        }
        this.d.learner.referral(c, verdict);
        cut = { zone: c.zone, nsNames: c.ns.map((r) => canonical(r.data as string)), glue: this.d.cuts.glueTargets(c.glue), side: 'parent' };
        mini.askedLabels = 0;
        continue;
      }
      const step = this.d.learner.reply(c, askedType, verdict);
      if (!minimised) return step;
      // A minimised name answered without a referral: no cut there, go one step deeper (RFC 9156 §3: NODATA is an
      // empty non-terminal). RFC 8020: nothing exists below a denied name — trusted once the zone has shown it
      // means it; until then (relaxed mode: some servers deny empty non-terminals) the full name is asked, as it
      // is after a CNAME on the way.
      if (c.kind === 'answer' || c.kind === 'nodata') mini.askedLabels = labelCount(target);
      else if (c.kind === 'nxdomain' && memory.trustsNxdomain(cut.zone)) return step;
      else {
        mini.on = false;
        if (c.kind === 'nxdomain') checking = { zone: cut.zone, after: 'nxdomain' };
      }
    }
  }
}
