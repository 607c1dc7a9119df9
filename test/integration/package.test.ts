// The npm package as a user gets it: `npm pack`, `npm install -g` of the tarball into a temporary prefix with no
// network (the runtime dependencies are bundled in the tarball), then the installed `rootline` run from an
// unrelated directory: --version, serve with the bundled root hints, serve and query against a loopback lab.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../src/lab/lab.js';
import { labServers } from '../../src/lab/lab-zones.js';
import { ask, datas } from '../helpers/client.js';
import { assertCliBuilt, freeUdpTcpPort, killAllCli, spawnProgram } from '../helpers/cli.js';

const run = promisify(execFile);
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const LAB_PREFIX = '127.115'; // the in-process hierarchy: 127.115.0.1 … 127.115.2.4
const SERVE_ADDR = '127.115.9.1';

let dir = '';
let bin = '';
let elsewhere = '';
let lab: Lab;
let labPort = 0;
let hints = '';
let tarballBytes = 0;
let installMs = 0;

beforeAll(async () => {
  assertCliBuilt();
  dir = mkdtempSync(join(tmpdir(), 'rootline-pkgtest-'));
  // --ignore-scripts: `npm test` built dist/ already, and rebuilding it here would race the other suites using it.
  const packed = await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: REPO });
  const tarball = join(dir, packed.stdout.trim().split('\n').pop()!);
  tarballBytes = readFileSync(tarball).length;
  elsewhere = mkdtempSync(join(tmpdir(), 'rootline-elsewhere-'));
  const t0 = performance.now();
  // --offline: nothing may come from a registry; the dependencies ride in the tarball (bundleDependencies).
  await run('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', join(dir, 'prefix'), tarball], { cwd: elsewhere });
  installMs = performance.now() - t0;
  bin = join(dir, 'prefix', 'bin', 'rootline');
  labPort = await freeUdpTcpPort(labServers(LAB_PREFIX).map((s) => s.address));
  lab = await startLab({ port: labPort, prefix: LAB_PREFIX });
  hints = join(dir, 'lab.root');
  await lab.writeRootHints(hints);
  console.log(`package: tarball ${(tarballBytes / 1024).toFixed(0)} KiB, npm install -g --offline ${installMs.toFixed(0)} ms`);
}, 120_000);

afterAll(async () => {
  await killAllCli();
  await lab?.stop();
  for (const d of [dir, elsewhere]) if (d) rmSync(d, { recursive: true, force: true });
});

describe('the installed package', () => {
  it('holds the built code, the root hints and the bundled runtime dependencies, and no tests or sources', async () => {
    const root = join(dir, 'prefix', 'lib', 'node_modules', 'rootline');
    expect(existsSync(join(root, 'dist', 'cli.js'))).toBe(true);
    expect(existsSync(join(root, 'root-hints', 'named.root'))).toBe(true);
    for (const absent of ['test', 'src', 'scripts', 'node_modules/vitest', 'node_modules/typescript']) expect(existsSync(join(root, absent))).toBe(false);
    const listing = await run('tar', ['tzf', join(dir, `rootline-${VERSION}.tgz`)]);
    // Our own files only: the bundled dependencies ship whatever their authors published.
    const ours = listing.stdout.split('\n').filter((f) => f !== '' && !f.startsWith('package/node_modules/'));
    expect(ours.filter((f) => /\.map$|\.test\.|^package\/(test|src|scripts)\//.test(f))).toEqual([]);
    // No path of the machine that built it (e.g. a checkout under /home or /work) in the shipped code.
    const built = await run('tar', ['xzOf', join(dir, `rootline-${VERSION}.tgz`), '--wildcards', 'package/dist/*', 'package/package.json'], { maxBuffer: 64 << 20 });
    expect(built.stdout).not.toContain(REPO);
  });

  it('prints the package version', async () => {
    const r = await run(bin, ['--version'], { cwd: elsewhere });
    expect(r.stdout.trim()).toBe(VERSION);
  });

  it('finds the bundled root hints from another directory', async () => {
    const port = await freeUdpTcpPort([SERVE_ADDR]);
    const p = spawnProgram(bin, ['serve', '--listen', `${SERVE_ADDR}:${port}`, '--log-format', 'json'], { cwd: elsewhere });
    await p.waitForOutput(/listening/, 8000);
    await killAllCli();
  });

  it('serves answers through a loopback hierarchy, and query resolves too', async () => {
    const port = await freeUdpTcpPort([SERVE_ADDR]);
    const p = spawnProgram(bin, ['serve', '--listen', `${SERVE_ADDR}:${port}`, '--root-hints', hints, '--no-dnssec-validation', '--upstream-port', String(labPort)], { cwd: elsewhere });
    await p.waitForOutput(/listening/, 8000);
    const r = await ask(SERVE_ADDR, port, 'www.example.com', 'A', { timeoutMs: 3000 });
    expect(r.rcode).toBe('NOERROR');
    expect(datas(r)).toEqual(['192.0.2.80']);
    await killAllCli();
    const q = await run(bin, ['query', 'www.example.com', 'A', '--root-hints', hints, '--no-dnssec-validation', '--upstream-port', String(labPort)], { cwd: elsewhere, timeout: 10_000 });
    expect(q.stdout).toContain('192.0.2.80');
  });

  it('starts the lab', async () => {
    const port = await freeUdpTcpPort(['127.115.9.2']);
    const labAt = await freeUdpTcpPort(labServers('127.116').map((s) => s.address));
    const p = spawnProgram(bin, ['lab', '--prefix', '127.116', '--port', String(labAt), '--listen', `127.115.9.2:${port}`], { cwd: elsewhere });
    await p.waitForOutput(/dig @127\.115\.9\.2/, 8000);
    const r = await ask('127.115.9.2', port, 'www.example.com', 'A', { timeoutMs: 3000 });
    expect(r.rcode).toBe('NOERROR');
    await killAllCli();
  });
});
