// What the resolver takes from the config, built in one place for the server (main.ts) and the tests alike,
// and the runtime parts (network, time, randomness, caches) it is handed next to those options.
import type { InfraCache } from '../cache/infra-cache.js';
import type { NegativeCache } from '../cache/negative-cache.js';
import type { RRsetCache } from '../cache/rrset-cache.js';
import type { Config, RotateMode } from '../config/schema.js';
import type { Transport } from '../upstream/transport.js';
import type { Clock } from '../util/clock.js';
import type { Random } from '../util/random.js';
import { ConfiguredZones } from './configured-zones.js';
import type { RootHints } from './hints.js';
import { limitsFromConfig, type LimitHit, type Limits } from './limits.js';
import type { UpstreamTallies } from '../observe/tallies.js';
import type { DenialSynthesiser } from './synthesis.js';
import type { Validator } from './validate.js';

export interface ResolverOptions {
  limits: Limits;
  rrsetOrder: RotateMode;
  /** 0x20: randomise the letter case of upstream query names. */
  caseRandomisation: boolean;
  /** RFC 9156 QNAME minimisation. */
  qnameMinimisation: boolean;
  /** Never ask loopback addresses from delegations unless the root hints are on loopback (loopback.ts). */
  doNotQueryLocalhost: boolean;
  /** RFC 8767: null = off. */
  serveStale: { windowMs: number; answerAfterMs: number } | null;
  prefetch: boolean;
  /** Use AAAA addresses of upstream servers. */
  useIpv6: boolean;
  /** Port of every upstream server (53 on the internet; labs may use another). */
  upstreamPort: number;
  /** Forward and stub zones; none when absent. */
  configuredZones?: ConfiguredZones;
  /** Ask for DNSSEC records upstream (DO=1): on when validating. */
  dnssecOk?: boolean;
  /** Seconds bogus data is cached. */
  bogusTtl?: number;
}

export interface ResolverParts {
  transport: Transport;
  clock: Clock;
  random: Random;
  rrsets: RRsetCache;
  negatives: NegativeCache;
  hints: RootHints;
  infra: InfraCache;
  /** Judges every reply before it is cached; none: replies are taken as they are. */
  validator?: Validator;
  /** RFC 8198 aggressive NSEC: denials from the validated cache. */
  synthesiser?: DenialSynthesiser;
  /** Told of every limit hit (one metric per limit). */
  onLimit?: (hit: LimitHit) => void;
  /** Upstream tallies to bump (a reloaded resolver keeps counting where the old one left off). */
  tallies?: UpstreamTallies;
}

export type ResolverDeps = ResolverParts & ResolverOptions;

/** `useIpv6` is decided by the caller: 'auto' in the config needs a look at the host's interfaces. */
export function resolverOptions(c: Config, useIpv6: boolean): ResolverOptions {
  return {
    limits: limitsFromConfig(c),
    rrsetOrder: c.rrsetOrder,
    caseRandomisation: c.caseRandomisation,
    qnameMinimisation: c.qnameMinimisation,
    doNotQueryLocalhost: c.doNotQueryLocalhost,
    serveStale: c.serveStale ? { windowMs: c.staleWindow * 1000, answerAfterMs: c.staleAnswerTimeoutMs } : null,
    prefetch: c.prefetch,
    useIpv6,
    upstreamPort: c.upstreamPort,
    configuredZones: new ConfiguredZones(c.forwardZones, c.stubZones),
    dnssecOk: c.dnssecValidation,
    bogusTtl: c.bogusTtl,
  };
}
