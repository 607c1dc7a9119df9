// `rootline query NAME [TYPE] [--trace] [--config FILE]`: resolve one name in-process and print a dig-like
// answer; with --trace, the policy step that decided (local data, a blocklist, the rebinding guard…) and every
// server asked on the way from the root (or a forward zone) down.
import { loadConfigFile, mergeConfig } from '../config/load.js';
import { resolve } from 'node:path';
import { DEFAULTS, type Config } from '../config/schema.js';
import { ErrorCode, RootlineError } from '../errors.js';
import { formatAnswer, walk } from '../journey.js';
import { createLogger } from '../log.js';
import { buildCore } from '../main.js';
import { DEFAULT_ROOT_HINTS, exitWithError } from './common.js';

export interface QueryFlags {
  trace?: boolean;
  config?: string;
  rootHints?: string;
  upstreamPort?: number;
  trustAnchorFile?: string;
  dnssecValidation?: boolean;
}

export async function runQuery(name: string, type: string | undefined, flags: QueryFlags): Promise<void> {
  try {
    const qtype = (type ?? 'A').toUpperCase();
    if (!/^[A-Z0-9]+$/.test(qtype)) throw new RootlineError(ErrorCode.BAD_ARGUMENT, `not a record type: '${type}'`);
    // The config file brings local data, blocklists, forward zones…; the flags still win over it.
    const file = flags.config ? await loadConfigFile(flags.config) : {};
    const cli: Partial<Config> = {
      logLevel: 'silent',
      ...(flags.rootHints ? { rootHints: flags.rootHints } : {}),
      ...(flags.upstreamPort !== undefined ? { upstreamPort: flags.upstreamPort } : {}),
      ...(flags.trustAnchorFile ? { trustAnchorFile: resolve(flags.trustAnchorFile) } : {}),
      ...(flags.dnssecValidation === false ? { dnssecValidation: false } : {}),
    };
    const config = mergeConfig({ ...DEFAULTS, rootHints: DEFAULT_ROOT_HINTS }, file, cli);
    const core = await buildCore(config, { logger: createLogger('silent', 'json') });
    const started = performance.now();
    const r = await walk({ policy: core.pipeline.policy, resolver: core.resolver }, { name, type: qtype, class: 'IN' }, (line) => {
      if (flags.trace) process.stdout.write(line + '\n');
    });
    if (r === 'dropped') {
      process.stdout.write(';; no answer: a policy drops this query\n');
      process.exit(2);
    }
    process.stdout.write((flags.trace ? '\n' : '') + formatAnswer(name, qtype, r, Math.round(performance.now() - started)));
    process.exit(r.rcode === 2 ? 2 : 0);
  } catch (e) {
    exitWithError(e);
  }
}
