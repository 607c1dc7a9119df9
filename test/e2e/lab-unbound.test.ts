// End to end, a second opinion on the signed lab (issue 19): Unbound, a validator that is not ours, resolving the
// lab with lab.root.ds as its only trust anchor, gives every printed dig line the answer the lab promises — AD on
// the secure names, none on insecure.org, SERVFAIL with a DNSSEC EDE on expired.com / wrong-ds.net, data under +cd.
// If the signer were wrong (a signature, an NSEC range, a DS), Unbound would say bogus here.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../src/lab/lab.js';
import { digEde, digTypes, examplesWithExpectations } from '../helpers/lab-expectations.js';
import { digAsync, e2eGate, startUnbound, stopChild, waitForAnswer } from './tools.js';

const UNBOUND_PORT = 5334;
const run = e2eGate('the signed lab validated by Unbound', ['unbound', 'dig']);

describe.skipIf(!run)('e2e: Unbound validates the signed lab', () => {
  let lab: Lab;
  let unbound: ChildProcess;
  let dir = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rootline-lab-unbound-'));
    // Port 53: Unbound asks the servers a delegation names on port 53, as on the internet.
    lab = await startLab({ port: 53, prefix: '127.93' });
    const hints = join(dir, 'named.root');
    const anchor = await lab.writeRootHints(hints);
    unbound = startUnbound(join(dir, 'unbound'), UNBOUND_PORT, hints, ['module-config: "validator iterator"', `trust-anchor-file: "${anchor}"`, 'ede: yes']);
    await waitForAnswer('127.0.0.1', UNBOUND_PORT, unbound, 'unbound');
  }, 60_000);

  afterAll(async () => {
    await stopChild(unbound);
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(examplesWithExpectations().map((e) => [e.key, e] as const))('%s', async (_key, { example, expect: want }) => {
    const r = await digAsync(UNBOUND_PORT, example.name, example.type, example.dig ? example.dig.split(' ') : []);
    expect(r.status).toBe(want.status);
    expect(r.flags.includes('ad')).toBe(want.ad);
    if (want.answer) expect(digTypes(r.answer)).toEqual(want.answer);
    if (want.authority) expect(digTypes(r.authority)).toContain(want.authority);
    // Unbound's code for a broken chain varies with its cache and val-log-level (expired.com: 6, 7 or 9), so here
    // only that it is a DNSSEC one (RFC 8914: 6–12); the rootline suite holds the exact code.
    if (want.ede !== undefined) expect(digEde(r.raw), r.raw).toSatisfy((code: number | undefined) => code !== undefined && code >= 6 && code <= 12);
  });
});
