// The lab hierarchy for a test file that runs the built CLI: started on its own 127.x prefix before the file's
// tests, its root hints written to a temp dir, every CLI process the file started killed after each test, all
// of it stopped at the end. Returns getters: the values exist once beforeAll has run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startLab, trustAnchorPathFor, type Lab } from '../../src/lab/lab.js';
import { labServers } from '../../src/lab/lab-zones.js';
import { assertCliBuilt, freeUdpTcpPort, killAllCli } from './cli.js';

export interface LabRig {
  readonly lab: Lab;
  /** The port every lab server answers on. */
  readonly port: number;
  /** A temp dir for the file's configs and sockets (removed at the end). */
  readonly dir: string;
  /** The lab's root hints in `dir`. */
  readonly hints: string;
  /** The lab root's DS beside the hints (lab.root.ds): the trust anchor a validating CLI run needs. */
  readonly trustAnchor: string;
  /** Queries the lab servers received so far, all of them together. */
  upstreamQueries(): number;
}

export function useLabRig(prefix: string, o: { killAfterEach?: boolean } = {}): LabRig {
  let lab: Lab | undefined;
  let port = 0;
  let dir = '';
  beforeAll(async () => {
    assertCliBuilt();
    port = await freeUdpTcpPort(labServers(prefix).map((s) => s.address));
    lab = await startLab({ port, prefix });
    dir = mkdtempSync(join(tmpdir(), `rootline-${prefix.replace('.', '-')}-`));
    await lab.writeRootHints(join(dir, 'named.root'));
  });
  afterAll(async () => {
    await killAllCli();
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  if (o.killAfterEach !== false) afterEach(() => killAllCli());
  return {
    get lab() {
      return lab!;
    },
    get port() {
      return port;
    },
    get dir() {
      return dir;
    },
    get hints() {
      return join(dir, 'named.root');
    },
    get trustAnchor() {
      return trustAnchorPathFor(join(dir, 'named.root'));
    },
    upstreamQueries: () => lab!.servers.reduce((n, s) => n + s.log.length, 0),
  };
}
