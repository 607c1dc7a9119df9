// The signed lab through rootline's own validator (issues 9 and 19): the lab's hierarchy on loopback, a rootline
// server whose only trust anchor is lab.root.ds, and every dig line the lab prints run as printed — AD on the
// secure names, none on insecure.org, SERVFAIL with EDE 7 / 9 on expired.com / wrong-ds.net, the data under +cd.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/schema.js';
import { digLine, labBanner } from '../../src/lab/banner.js';
import { startLab, type Lab } from '../../src/lab/lab.js';
import { labServers } from '../../src/lab/lab-zones.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { parseDig } from '../e2e/tools.js';
import { digEde, digTypes, examplesWithExpectations } from '../helpers/lab-expectations.js';
import { freePortOn } from '../helpers/loopback-auth.js';

const run = promisify(execFile);
const hasDig = ((): boolean => {
  try {
    execFileSync('dig', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const skipReason = !hasDig ? ' — SKIPPED: dig is not installed' : '';

describe('the signed lab with rootline validating', () => {
  let lab: Lab;
  let server: RunningServer;
  let port = 0;
  let dir = '';
  let hints = '';
  let anchor = '';

  beforeAll(async () => {
    const prefix = '127.94';
    const labPort = await freePortOn(labServers(prefix).map((s) => s.address));
    lab = await startLab({ port: labPort, prefix });
    dir = mkdtempSync(join(tmpdir(), 'rootline-labdnssec-'));
    hints = join(dir, 'named.root');
    anchor = await lab.writeRootHints(hints);
    const config = { ...DEFAULTS, listen: ['127.0.0.1:0'], rootHints: hints, upstreamPort: labPort, serveStale: false, trustAnchorFile: anchor };
    server = await startServer(config, { logger: pino({ level: 'silent' }) });
    port = Number(server.addresses[0]!.split(':')[1]);
  });

  afterAll(async () => {
    await server?.close();
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes the lab root DS beside the hints, and the printed commands use it as the trust anchor', () => {
    expect(anchor).toBe(join(dir, 'lab.root.ds'));
    expect(readFileSync(anchor, 'utf8')).toBe(lab.trustAnchor);
    expect(lab.trustAnchor).toMatch(/^\. 3600 IN DS \d+ 13 2 [0-9A-F]{64}\n$/);
    const banner = labBanner({ lab, prefix: '127.94', listen: { address: '127.0.0.1', port }, hintsPath: hints, anchorPath: anchor }).join('\n');
    for (const line of banner.split('\n').filter((l) => /rootline (serve|query)/.test(l))) {
      expect(line).toContain(`--root-hints ${hints} --trust-anchor-file ${anchor}`);
    }
    expect(banner).toMatch(/signed 10 zones \(ECDSA P-256, Ed25519; NSEC and NSEC3\) in \d+ ms/);
  });

  describe.skipIf(!hasDig)(`every printed dig line${skipReason}`, () => {
    it.each(examplesWithExpectations().map((e) => [e.key, e] as const))('%s', async (_key, { example, expect: want }) => {
      // The line exactly as the lab prints it, through dig (asynchronously: the lab's servers live in this process).
      const [cmd, ...args] = digLine({ address: '127.0.0.1', port }, example).split(' ');
      const r = parseDig((await run(cmd!, [...args, '+time=5', '+tries=1'], { encoding: 'utf8' })).stdout);
      expect(r.status, r.raw).toBe(want.status);
      expect(r.flags.includes('ad'), r.raw).toBe(want.ad);
      if (want.answer) expect(digTypes(r.answer)).toEqual(want.answer);
      if (want.authority) expect(digTypes(r.authority)).toContain(want.authority);
      if (want.ede !== undefined) expect(digEde(r.raw), r.raw).toBe(want.ede);
    });
  });
});
