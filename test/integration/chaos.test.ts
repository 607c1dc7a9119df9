// CHAOS questions against the built binary with dig: version.bind and hostname.bind, the journey of a name as
// TXT records (its steps in order; a second ask shows the cache hits), `_TYPE.` for another type, a long
// journey truncated over UDP and complete over TCP, and REFUSED for a client outside debug-clients.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { journeyQuestion } from '../../src/pipeline/chaos.js';
import { freeUdpTcpPort, spawnCli } from '../helpers/cli.js';
import { useLabRig } from '../helpers/lab-rig.js';

const LAB_PREFIX = '127.68';
const SERVE_ADDR = '127.68.9.1';
/** The one address in debug-clients; every other one is refused. */
const DEBUG_CLIENT = '127.68.9.2';
const rig = useLabRig(LAB_PREFIX);
const run = promisify(execFile);

const hasDig = ((): boolean => {
  try {
    execFileSync('dig', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('journey names', () => {
  it('ask A by default, another type with a leading _TYPE label', () => {
    expect(journeyQuestion('www.example.com')).toEqual({ name: 'www.example.com', type: 'A', class: 'IN' });
    expect(journeyQuestion('_AAAA.www.example.com.')).toEqual({ name: 'www.example.com', type: 'AAAA', class: 'IN' });
    expect(journeyQuestion('_mx.example.com')).toEqual({ name: 'example.com', type: 'MX', class: 'IN' });
  });
});

describe.skipIf(!hasDig)(hasDig ? 'CHAOS questions with dig' : 'CHAOS questions with dig — SKIPPED: dig is not installed', () => {
  it('version, identity, the journey in order, cache hits, TC over UDP, and REFUSED for others', async () => {
    const port = await freeUdpTcpPort([SERVE_ADDR]);
    const config = join(rig.dir, 'chaos.yaml');
    writeFileSync(config, ['root-hints: named.root', 'dnssec-validation: false', `upstream-port: ${rig.port}`, `listen: ["${SERVE_ADDR}:${port}"]`, 'identity: lab-resolver-1', 'debug-clients: [127.68.9.2/32]', 'control-socket: off', ''].join('\n'));
    const p = spawnCli(['serve', '--config', config]);
    await p.waitForOutput(/listening/, 15000);
    // Asynchronously: the lab's servers run in this process and must keep answering while dig waits.
    const dig = async (name: string, ...extra: string[]): Promise<string> =>
      (await run('dig', [`@${SERVE_ADDR}`, '-p', String(port), name, 'CH', 'TXT', '+tries=1', '+time=3', '-b', DEBUG_CLIENT, ...extra], { encoding: 'utf8' })).stdout;
    const txts = (out: string): string[] => out.split('\n').filter((l) => !l.startsWith(';') && /\sCH\s+TXT\s/.test(l)).map((l) => l.replace(/^.*?CH\s+TXT\s+/, ''));

    expect(txts((await dig('version.bind')))).toEqual([`"rootline ${(await import('../../src/version.js')).VERSION}"`]);
    expect(txts((await dig('hostname.bind')))).toEqual(['"lab-resolver-1"']);

    const first = txts((await dig('start.example.com')));
    expect(first[0]).toBe('"journey of start.example.com. IN A"');
    // The CNAME chain across com → net → org, each zone's servers in order, then the result.
    const order = ['start.example.com. A -> ', 'hop.example.net. A -> ', 'end.example.org. A -> '].map((s) => first.findIndex((l) => l.includes(s) && l.includes(' ms ')));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(first).toContain('"status: NOERROR"');
    expect(first.some((l) => /end\.example\.org\. \d+ IN A 203\.0\.113\.7/.test(l))).toBe(true);

    const second = txts((await dig('start.example.com')));
    expect(second).toContain('"cache: start.example.com. A -> cname"');
    expect(second.some((l) => l.includes(' ms '))).toBe(false);

    expect(txts((await dig('_mx.example.com')))[0]).toBe('"journey of example.com. IN MX"');

    // A journey longer than a small UDP buffer: TC over UDP, complete over TCP.
    const udp = await dig('_txt.big.example.com', '+bufsize=512', '+ignore');
    expect(udp).toMatch(/flags: qr[^;]*\btc\b/);
    const tcp = txts((await dig('_txt.big.example.com', '+tcp')));
    expect(tcp.length).toBeGreaterThan(3);
    expect(tcp).toContain('"status: NOERROR"');

    const outsider = await dig('version.bind', '-b', '127.68.9.77');
    expect(outsider).toMatch(/status: REFUSED/);
  }, 40_000);
});
