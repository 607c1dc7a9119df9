// Builds a Resolver on a FakeNet and a ManualClock, with the default limits unless overridden.
import { InfraCache } from '../../src/cache/infra-cache.js';
import { NegativeCache } from '../../src/cache/negative-cache.js';
import { RRsetCache } from '../../src/cache/rrset-cache.js';
import { DEFAULTS, type Config } from '../../src/config/schema.js';
import { parseRootHints } from '../../src/resolver/hints.js';
import type { LimitHit, Limits } from '../../src/resolver/limits.js';
import { resolverOptions } from '../../src/resolver/options.js';
import { Resolver } from '../../src/resolver/resolver.js';
import type { Validator } from '../../src/resolver/validate.js';
import type { DenialSynthesiser } from '../../src/resolver/synthesis.js';
import { ManualClock } from '../../src/util/clock.js';
import { SeededRandom } from '../../src/util/random.js';
import { FakeNet, hintsFor } from './fake-net.js';

export interface TestResolver {
  resolver: Resolver;
  net: FakeNet;
  clock: ManualClock;
  rrsets: RRsetCache;
  negatives: NegativeCache;
  infra: InfraCache;
}

export function makeResolver(rootAddress: string, opts: { config?: Partial<Config>; limits?: Partial<Limits>; useIpv6?: boolean; onLimit?: (hit: LimitHit) => void; validator?: Validator; net?: FakeNet; clock?: ManualClock; synthesiser?: DenialSynthesiser } = {}): TestResolver {
  const config = { ...DEFAULTS, ...opts.config };
  const clock = opts.clock ?? new ManualClock();
  const net = opts.net ?? new FakeNet(clock);
  const rrsets = new RRsetCache(config.cacheSize, { minTtl: config.minTtl, maxTtl: config.maxTtl }, clock);
  const negatives = new NegativeCache(1000, config.maxNegativeTtl, clock);
  const options = resolverOptions(config, opts.useIpv6 ?? false);
  const infra = new InfraCache(clock);
  const resolver = new Resolver({
    transport: net,
    clock,
    random: new SeededRandom(42),
    rrsets,
    negatives,
    hints: parseRootHints(hintsFor(rootAddress)),
    infra,
    ...options,
    limits: { ...options.limits, ...opts.limits },
    upstreamPort: 53,
    ...(opts.onLimit ? { onLimit: opts.onLimit } : {}),
    ...(opts.validator ? { validator: opts.validator } : {}),
    ...(opts.synthesiser ? { synthesiser: opts.synthesiser } : {}),
  });

  return { resolver, net, clock, rrsets, negatives, infra };
}
