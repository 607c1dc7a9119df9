// `rootline doctor`: what breaks DNS on this machine and its network, one line a check with the evidence and
// the fix. Exit 0 when nothing is a problem, 1 otherwise.
import { loadConfigFile, mergeConfig } from '../config/load.js';
import { DEFAULTS, type Config } from '../config/schema.js';
import { formatResults, hasProblem, runChecks } from '../doctor/run.js';
import { loadRootHints } from '../resolver/hints.js';
import { parseListenAddress } from '../server/listen-address.js';
import { NetworkTransport } from '../upstream/network.js';
import { hostHasGlobalIpv6 } from '../util/ipv6.js';
import { CryptoRandom } from '../util/random.js';
import { DEFAULT_ROOT_HINTS, exitWithError } from './common.js';

export interface DoctorFlags {
  rootHints?: string;
  upstreamPort?: number;
  config?: string;
  json?: boolean;
  resolvConf?: string;
  tld?: string;
}

const PROBE_TIMEOUT_MS = 2000;

export async function runDoctor(flags: DoctorFlags): Promise<void> {
  try {
    const file = flags.config ? await loadConfigFile(flags.config) : {};
    const cli: Partial<Config> = { ...(flags.rootHints ? { rootHints: flags.rootHints } : {}), ...(flags.upstreamPort !== undefined ? { upstreamPort: flags.upstreamPort } : {}) };
    const config = mergeConfig({ ...DEFAULTS, rootHints: DEFAULT_ROOT_HINTS }, file, cli);
    const hints = await loadRootHints(config.rootHints);
    const v6 = config.ipv6Upstream === 'auto' ? hostHasGlobalIpv6() : config.ipv6Upstream;
    const roots = hints.nsNames.flatMap((name) => (hints.addresses.get(name) ?? []).filter((a) => v6 || !a.includes(':')).map((address) => ({ name, address })));
    const results = await runChecks({
      transport: new NetworkTransport(new CryptoRandom()),
      roots,
      upstreamPort: config.upstreamPort,
      listen: config.listen.map(parseListenAddress),
      resolvConf: flags.resolvConf ?? '/etc/resolv.conf',
      tld: flags.tld ?? 'com',
      probeTimeoutMs: PROBE_TIMEOUT_MS,
      nowMs: () => Date.now(),
    });
    process.stdout.write((flags.json ? JSON.stringify(results, null, 2) : formatResults(results)) + '\n');
    process.exit(hasProblem(results) ? 1 : 0);
  } catch (e) {
    exitWithError(e);
  }
}
