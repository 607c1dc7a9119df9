// Access control against a client that really is outside every allowed range (issue 7): the built server runs in
// a network namespace of its own, listening on 198.51.100.1 and 127.0.0.1 there, and a second namespace joined by
// a veth pair queries it from 198.51.100.2 (RFC 5737 TEST-NET-2, present only inside these two namespaces, with
// no route off the machine). Needs root; skipped with the reason otherwise.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodePacket, type WirePacket } from '../../src/wire/decode.js';
import { buildQuery, datas } from '../helpers/client.js';
import { assertCliBuilt } from '../helpers/cli.js';
import { createNetnsPair, digIn, netnsUnavailable, spawnCliIn, type NetnsPair, type NetnsServer } from '../helpers/netns.js';

const skipReason = netnsUnavailable();
const PORT = 5300; // the server's namespace is fresh: nothing else is bound there
const NAME = 'printer.home.arpa';
const ADDRESS = '192.168.1.50';

const decoded = (b: Buffer | null): WirePacket | null => {
  if (!b) return null;
  const d = decodePacket(b);
  if (!d.ok) throw new Error(`undecodable reply: ${d.reason}`);
  return d.packet;
};
/** The rcode and the answer's data; null for no reply. */
const summary = (p: WirePacket | null | undefined) => (p ? { rcode: p.rcode, answers: datas(p) } : null);

describe.skipIf(skipReason !== null)(`access control for a client outside every allowed range (netns)${skipReason ? ` — skipped: ${skipReason}` : ''}`, () => {
  let pair: NetnsPair | null = null;
  let dir = '';
  let server: NetnsServer | null = null;

  beforeAll(() => {
    assertCliBuilt();
    pair = createNetnsPair();
    dir = mkdtempSync(join(tmpdir(), 'rootline-netns-'));
    // Root hints that lead nowhere (loopback inside the server's namespace, nothing listening): only local data
    // is asked for, and nothing may leave the namespace anyway.
    writeFileSync(join(dir, 'named.root'), '. 3600000 NS a.root.test.\na.root.test. 3600000 A 127.0.0.53\n');
  });

  afterEach(async () => {
    await server?.stop();
    server = null;
  });

  afterAll(async () => {
    await server?.stop();
    pair?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Starts rootline in the server namespace with this ACL part of the config, and waits until it listens. */
  async function serve(acl: string): Promise<void> {
    const file = join(dir, 'rootline.yaml');
    writeFileSync(
      file,
      [
        `listen: ["${pair!.serverAddress}:${PORT}", "127.0.0.1:${PORT}"]`,
        'root-hints: named.root', 'dnssec-validation: false',
        'upstream-port: 5399',
        'log-format: json',
        'local-data:',
        `  - "${NAME}. 300 A ${ADDRESS}"`,
        acl,
        '',
      ].join('\n'),
    );
    server = spawnCliIn(pair!.server, ['serve', '--config', file]);
    await server.waitForOutput(/"event":"listening"/);
  }

  const rd1 = () => buildQuery(NAME, 'A');
  const rd0 = () => buildQuery(NAME, 'A', { rd: false });
  const fromLoopback = async (qs: Buffer[]) => (await digIn(pair!.server, '127.0.0.1', PORT, qs)).map(decoded);
  const fromOutside = async (qs: Buffer[], timeoutMs = 2000) => (await digIn(pair!.client, pair!.serverAddress, PORT, qs, timeoutMs)).map(decoded);

  it('answers loopback, and REFUSES the outside client both for recursion (RD=1) and for cache snooping (RD=0)', async () => {
    await serve('');
    // Loopback inside the server's namespace is allowed by default; this also puts the answer in the cache.
    const [local, localNoRd] = await fromLoopback([rd1(), rd0()]);
    expect(summary(local)).toEqual({ rcode: 'NOERROR', answers: [ADDRESS] });
    expect(summary(localNoRd)).toEqual({ rcode: 'NOERROR', answers: [ADDRESS] });
    // 198.51.100.2 is in none of the default ranges: REFUSED, and the cached answer is not handed out either.
    const [recursion, snoop] = await fromOutside([rd1(), rd0()]);
    expect(summary(recursion)).toEqual({ rcode: 'REFUSED', answers: [] });
    expect(summary(snoop)).toEqual({ rcode: 'REFUSED', answers: [] });
    expect(snoop!.flag_rd).toBe(false);
    expect([recursion!.authorities?.length ?? 0, snoop!.authorities?.length ?? 0]).toEqual([0, 0]);
  });

  it('sends the outside client nothing at all with outside-clients: drop, and still answers loopback', async () => {
    await serve('outside-clients: drop');
    const [local] = await fromLoopback([rd1()]); // and the answer is cached
    expect(summary(local)).toEqual({ rcode: 'NOERROR', answers: [ADDRESS] });
    const [recursion, snoop] = await fromOutside([rd1(), rd0()], 1500);
    expect([recursion, snoop]).toEqual([null, null]);
  });

  it('answers the outside client once its network is in allow', async () => {
    await serve('allow: [198.51.100.0/24]');
    const [recursion, noRd] = await fromOutside([rd1(), rd0()]);
    expect(summary(recursion)).toEqual({ rcode: 'NOERROR', answers: [ADDRESS] });
    expect(recursion!.flag_aa).toBe(true);
    expect(summary(noRd)).toEqual({ rcode: 'NOERROR', answers: [ADDRESS] }); // local data is answered to RD=0 too
  });

  it('REFUSES it again when deny names it inside the allowed network (deny wins)', async () => {
    await serve('allow: [198.51.100.0/24]\ndeny: [198.51.100.2/32]');
    const [recursion, snoop] = await fromOutside([rd1(), rd0()]);
    expect(summary(recursion)).toEqual({ rcode: 'REFUSED', answers: [] });
    expect(summary(snoop)).toEqual({ rcode: 'REFUSED', answers: [] });
  });
});
