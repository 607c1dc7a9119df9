// `rootline lab`: a simulated, signed DNS hierarchy on loopback plus a rootline resolver pointed at it (the lab
// root's DS its only trust anchor), with dig commands to try — iterative resolution and the chain of trust to
// watch on a machine with no internet.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULTS, type Config } from '../config/schema.js';
import { labBanner } from '../lab/banner.js';
import { startLab, trustAnchorPathFor } from '../lab/lab.js';
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
    const hintsPath = flags.hintsFile ? resolve(flags.hintsFile) : join(mkdtempSync(join(tmpdir(), 'rootline-lab-')), 'named.root');
    if (hintsPath === trustAnchorPathFor(hintsPath)) {
      throw new RootlineError(ErrorCode.BAD_ARGUMENT, `--hints-file cannot be named lab.root.ds: the lab writes its trust anchor there`);
    }
    const lab = await startLab({ port, prefix });
    const anchorPath = await lab.writeRootHints(hintsPath);
    const server = await startServer({
      ...DEFAULTS,
      listen: [listen],
      rootHints: hintsPath,
      // The lab root's DS is the only trust anchor: never the real root's.
      trustAnchorFile: anchorPath,
      upstreamPort: port,
      logLevel: flags.logLevel ?? 'warn',
      queryLog: false,
    });
    process.stdout.write(labBanner({ lab, prefix, listen: at, hintsPath, anchorPath }).join('\n'));
    const stop = (): void => {
      void Promise.all([server.close(), lab.stop()]).then(() => process.exit(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } catch (e) {
    exitWithError(e);
  }
}
