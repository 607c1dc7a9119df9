// The signed lab through rootline's own validator (issues 9 and 19): the lab's hierarchy on loopback, a rootline
// server whose only trust anchor is lab.root.ds, and every dig line the lab prints run as printed — AD on the
// secure names, none on insecure.org, SERVFAIL with EDE 7 / 9 on expired.com / wrong-ds.net, the data under +cd —
// and `rootline query --trace` showing the chain of trust cut by cut, with the lab's own key tags, and where it breaks.
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
import { assertCliBuilt, killAllCli, runCli } from '../helpers/cli.js';
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
    await killAllCli();
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

  describe('rootline query --trace', () => {
    const keyTag = (origin: string) => lab.signing.signed.get(origin)!.keys[0]!.keyTag;
    const trace = async (name: string) => {
      assertCliBuilt();
      const r = await runCli(['query', name, 'A', '--trace', '--root-hints', hints, '--trust-anchor-file', anchor, '--upstream-port', String(lab.port)], 15_000);
      return r.stdout + r.stderr;
    };

    it('shows the chain of trust at each cut: the anchor, DS → DNSKEY, and the key that signed the answer', async () => {
      const out = await trace('www.example.com');
      expect(out).toContain(`DNSKEY ${keyTag('.')} matches the trust anchor`);
      for (const zone of ['com', 'example.com']) expect(out).toMatch(new RegExp(`${zone}\\.? dnskey: secure — DNSKEY ${keyTag(zone)} matches DS ${keyTag(zone)}`));
      expect(out).toContain(`www.example.com A signed by example.com key ${keyTag('example.com')}`);
      expect(out).toMatch(/DNSSEC: secure/);
    });

    it('shows where a bogus chain breaks: the DNSKEY step of wrong-ds.net and of expired.com', async () => {
      const wrong = await trace('www.wrong-ds.net');
      expect(wrong).toMatch(new RegExp(`net\\.? dnskey: secure — DNSKEY ${keyTag('net')} matches DS ${keyTag('net')}`));
      expect(wrong).toMatch(/wrong-ds\.net\.? dnskey: bogus — no DNSKEY matches DS \d+/);
      expect(wrong).toMatch(/status: SERVFAIL/);
      const expired = await trace('www.expired.com');
      expect(expired).toMatch(new RegExp(`expired\\.com\\.? dnskey: bogus — RRSIG by key ${keyTag('expired.com')} expired`));
    });
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
