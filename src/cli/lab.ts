// `rootline lab`: a simulated DNS hierarchy on loopback plus a rootline resolver pointed at it, with dig
// commands to try — iterative resolution to watch on a machine with no internet.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULTS, type Config } from '../config/schema.js';
import { startLab } from '../lab/lab.js';
import { startServer } from '../main.js';
import { parseListenAddress } from '../server/listen-address.js';
import { ErrorCode, RootlineError } from '../errors.js';
import { exitWithError } from './common.js';

export interface LabFlags {
  port?: number;
  prefix?: string;
  listen?: string;
  logLevel?: Config['logLevel'];
  hintsFile?: string;
}

export async function runLab(flags: LabFlags): Promise<void> {
  try {
    // Port 53 on the lab addresses needs root; otherwise a high port, and the resolver is told so.
    const port = flags.port ?? (process.getuid?.() === 0 ? 53 : 5353);
    const prefix = flags.prefix ?? '127.53';
    if (!/^127\.\d{1,3}$/.test(prefix)) throw new RootlineError(ErrorCode.BAD_ARGUMENT, `--prefix must be 127.N (the lab stays on loopback), got '${prefix}'`);
    const listen = flags.listen ?? '127.0.0.1:5300';
    const at = parseListenAddress(listen);
    const lab = await startLab({ port, prefix });
    const hintsPath = flags.hintsFile ? resolve(flags.hintsFile) : join(mkdtempSync(join(tmpdir(), 'rootline-lab-')), 'named.root');
    await lab.writeRootHints(hintsPath);
    const server = await startServer({
      ...DEFAULTS,
      listen: [listen],
      rootHints: hintsPath,
      upstreamPort: port,
      // The lab's zones are unsigned until it signs them (and brings its own trust anchor).
      dnssecValidation: false,
      logLevel: flags.logLevel ?? 'warn',
      queryLog: false,
    });
    const dig = `dig @${at.address} -p ${at.port}`;
    const portFlag = port === 53 ? '' : ` --upstream-port ${port}`;
    const lines = [
      `rootline lab: ${lab.servers.length} authoritative servers on ${prefix}.x.y:${port}, a rootline resolver on ${listen}`,
      `root hints: ${hintsPath}`,
      '',
      'Try:',
      ...lab.examples.map((e) => `  ${`${dig} ${e.name} ${e.type}`.padEnd(58)} # ${e.what}`),
      '',
      `  rootline query www.glueless.org A --trace --root-hints ${hintsPath}${portFlag} --no-dnssec-validation`,
      '',
      'Or run a resolver of your own against the lab:',
      `  rootline serve --listen 127.0.0.1:${at.port === 5301 ? 5302 : 5301} --root-hints ${hintsPath}${portFlag} --no-dnssec-validation`,
      '',
      'Ctrl-C stops everything.',
      '',
    ];
    process.stdout.write(lines.join('\n'));
    const stop = (): void => {
      void Promise.all([server.close(), lab.stop()]).then(() => process.exit(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } catch (e) {
    exitWithError(e);
  }
}
