/// <reference lib="dom" />
// The dashboard in a real browser: Debian's chromium driven by puppeteer-core against the built binary over the
// lab hierarchy. Logs in; sees the Overview numbers move as queries are sent; finds a query in the log and opens
// its journey; runs "Why this answer?" for a CNAME chain; flushes a name and sees the next query go upstream;
// disables a blocklist and sees the name resolve; sorts the Servers table; no console error on any page; every
// page screenshotted at 360 and 1280 px under test-output/web/ (and into docs/dashboard/ with
// ROOTLINE_DOCS_SCREENSHOTS=1).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { afterAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/web/auth.js';
import { ask, datas } from '../helpers/client.js';
import { freeUdpTcpPort, spawnCli } from '../helpers/cli.js';
import { useLabRig } from '../helpers/lab-rig.js';

const CHROMIUM = '/usr/bin/chromium';
const LAB_PREFIX = '127.82';
const SERVE_ADDR = '127.82.9.1';
const PASSWORD = 'dashboard e2e password';
const OUT = join('test-output', 'web');
const DOCS = join('docs', 'dashboard');
const PAGES = ['overview', 'queries', 'why', 'servers', 'policy', 'cache'] as const;

function gate(): boolean {
  const missing = [...(existsSync(CHROMIUM) ? [] : [`${CHROMIUM} (Debian package chromium)`]), ...(existsSync('dist/cli.js') ? [] : ['dist/cli.js (npm run build)'])];
  if (missing.length === 0) return true;
  const message = `browser suite cannot run; missing: ${missing.join('; ')}`;
  if (process.env.ROOTLINE_E2E === 'required') throw new Error(`${message} (ROOTLINE_E2E=required)`);
  console.warn(`\n!!! SKIPPED: ${message}\n`);
  return false;
}

const run = gate();
const rig = useLabRig(LAB_PREFIX);
let browser: Browser | null = null;
afterAll(async () => {
  await browser?.close();
});

describe.runIf(run)('the dashboard in headless Chromium', () => {
  it('log in, watch, find, trace, flush, unblock — with no console errors, at 360 and 1280 px', async () => {
    const { launch } = await import('puppeteer-core');
    mkdirSync(OUT, { recursive: true });
    const list = join(rig.dir, 'ads.txt');
    writeFileSync(list, 'www.glueless.org\ntracker.example.net\n');
    const port = await freeUdpTcpPort([SERVE_ADDR]);
    const webPort = await freeUdpTcpPort([SERVE_ADDR]);
    const config = join(rig.dir, 'web.yaml');
    writeFileSync(config, [
      'root-hints: named.root', 'dnssec-validation: false', `upstream-port: ${rig.port}`, `listen: ["${SERVE_ADDR}:${port}"]`, 'control-socket: off', 'log-format: json',
      `web-listen: ${SERVE_ADDR}:${webPort}`, `web-password: '${await hashPassword(PASSWORD)}'`, `blocklists: [${list}]`,
      'local-data: ["nas.home.arpa. A 192.168.1.10"]', '',
    ].join('\n'));
    const server = spawnCli(['serve', '--config', config]);
    await server.waitForOutput(/"event":"web_listening"/, 15000);
    const q = (name: string, type = 'A'): ReturnType<typeof ask> => ask(SERVE_ADDR, port, name, type, { edns: true, timeoutMs: 3000 });
    const base = `http://${SERVE_ADDR}:${webPort}`;

    browser = await launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warn') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${String(e)}`));
    page.on('requestfailed', (r) => {
      // The live view's stream is cut when a page is left: that is not a failure.
      if (!r.url().endsWith('/api/events')) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`);
    });
    await page.setViewport({ width: 1280, height: 900 });
    const text = (sel: string): Promise<string> => page.$eval(sel, (e) => e.textContent ?? '');
    const go = async (p: (typeof PAGES)[number]): Promise<void> => {
      await page.click(`nav a[data-page="${p}"]`);
      await page.waitForFunction((x) => document.querySelector(`nav a[data-page="${x}"]`)?.getAttribute('aria-current') === 'page', {}, p);
    };
    const shots: Record<string, () => Promise<void>> = {};

    // Log in (keyboard only: the password field has the focus, Enter submits).
    await page.goto(base, { waitUntil: 'networkidle0' });
    await page.waitForSelector('#password');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#ov-queries');

    // Overview: the total moves as a client sends queries (at most one update a second).
    await page.waitForFunction(() => document.getElementById('ov-queries')?.textContent !== '–');
    const before = Number((await text('#ov-queries')).replace(/,/g, ''));
    for (const name of ['www.example.com', 'www.example.com', 'pool.example.com', 'pool.example.com', 'nas.home.arpa']) await q(name);
    await page.waitForFunction((n) => Number(document.getElementById('ov-queries')!.textContent!.replace(/,/g, '')) >= n + 5, { timeout: 5000 }, before);
    expect(await text('#ov-hit')).toMatch(/^\d+\.\d%$/);
    shots.overview = () => page.waitForSelector('#ov-queries').then(() => undefined);

    // Query log: filter by name, open the journey of a row.
    await go('queries');
    await page.type('#q-name', 'pool');
    await page.click('#q-form button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll('#q-rows tr').length === 2 && Array.from(document.querySelectorAll('#q-rows td.name a')).every((a) => a.textContent === 'pool.example.com'));
    expect(await page.$$eval('#q-rows tr td:nth-child(8)', (tds) => tds.map((t) => t.textContent))).toEqual(['hit', '']);
    await page.click('#q-rows tr td.name a');
    await page.waitForSelector('#why-answer');
    expect(page.url()).toContain('#/why?name=pool.example.com&type=A');
    expect(await text('#why-steps')).toContain('cache: pool.example.com. A → answer');
    expect(await text('#why-answer')).toMatch(/pool\.example\.com\.\s+\d+\s+IN\s+A\s+192\.0\.2\.\d/);

    // Why this answer? for a CNAME chain across com → net → org: every hop is a step.
    await go('why');
    await page.type('#why-name', 'start.example.com');
    await page.click('#why-run');
    await page.waitForFunction(() => document.getElementById('why-answer')?.textContent?.includes('start.example.com'));
    const steps = await page.$$eval('#why-steps li', (lis) => lis.map((li) => ({ kind: li.className, text: li.textContent ?? '' })));
    // com. is cached from the queries before: the walk starts at example.com, then goes from the root to net. and org.
    expect(steps.some((s) => s.kind === 'referral' && s.text.includes('referral to net.'))).toBe(true);
    expect(steps.some((s) => s.kind === 'referral' && s.text.includes('referral to example.org.'))).toBe(true);
    expect(steps.some((s) => s.kind === 'cname' && s.text.includes('CNAME → hop.example.net.'))).toBe(true);
    expect(steps.some((s) => s.kind === 'cname' && s.text.includes('CNAME → end.example.org.'))).toBe(true);
    expect(steps.some((s) => s.kind === 'answer' && s.text.includes('end.example.org. A → answer (1 records)') && /asked ns1\.example\.org\. \(127\.82\.2\.3\) for example\.org\.[\d.]+ ms/.test(s.text))).toBe(true);
    expect(await text('#why-answer')).toMatch(/end\.example\.org\.\s+\d+\s+IN\s+A\s+203\.0\.113\.7/);
    shots.why = async () => undefined;

    // Cache: flush a name; the next query for it goes upstream.
    await go('cache');
    await page.type('#flush-name', 'www.example.com');
    await page.click('#flush-name-form button');
    await page.waitForFunction(() => document.getElementById('flush-result')?.textContent?.startsWith('Flushed: '));
    expect(await text('#flush-result')).toMatch(/^Flushed: [1-9]\d* RRsets/);
    const upstream = rig.upstreamQueries();
    expect(datas(await q('www.example.com'))).toEqual(['192.0.2.80']);
    expect(rig.upstreamQueries()).toBeGreaterThan(upstream);

    // Policy: a blocked name, the list disabled, the name resolves; the blocked row named list and rule.
    expect((await q('www.glueless.org')).answers?.[0]).toMatchObject({ data: '0.0.0.0' });
    await go('queries');
    await page.select('#q-blocked', 'true');
    await page.click('#q-form button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('#q-rows tr.blocked td:last-child')?.textContent?.includes('line 1: www.glueless.org'));
    expect(await text('#q-rows tr.blocked td:last-child')).toBe(`blocked by ${list} line 1: www.glueless.org`);
    shots.queries = async () => {
      await page.select('#q-blocked', '');
      await page.click('#q-form button[type="submit"]');
      await page.waitForFunction(() => document.querySelectorAll('#q-rows tr').length > 5);
    };
    await go('policy');
    await page.waitForSelector(`#lists button[data-list="${list}"]`);
    expect(await text('#lists .list')).toMatch(/StateonEntries2Read.*Errorsnone/);
    await page.click(`#lists button[data-list="${list}"]`);
    await page.waitForFunction(() => document.querySelector('#lists .list .state')?.textContent === 'off');
    expect(datas(await q('www.glueless.org'))).toEqual(['203.0.113.99']);
    await page.click(`#lists button[data-list="${list}"]`);
    await page.waitForFunction(() => document.querySelector('#lists .list .state')?.textContent === 'on');
    await page.type('#allow-name', 'www.glueless.org');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('allowlist')?.textContent?.includes('www.glueless.org (added here'));
    expect(datas(await q('www.glueless.org'))).toEqual(['203.0.113.99']);
    shots.policy = async () => undefined;

    // Servers: the health table, sorted by a column header (a button: reachable by keyboard).
    await go('servers');
    await page.waitForSelector('#servers-table tbody tr');
    await page.click('#servers-table th:nth-child(1) button');
    const sortedServers = await page.$$eval('#servers-table tbody tr td:first-child', (tds) => tds.map((t) => t.textContent ?? ''));
    expect(sortedServers.length).toBeGreaterThan(3);
    expect(await page.$eval('#servers-table th:nth-child(1)', (th) => th.getAttribute('aria-sort'))).toMatch(/ascending|descending/);
    shots.servers = async () => undefined;
    shots.cache = async () => undefined;

    // Every page at both widths; docs/ gets the 1280 px ones (and the phone Overview) when asked for.
    const docs = process.env.ROOTLINE_DOCS_SCREENSHOTS === '1';
    if (docs) {
      mkdirSync(DOCS, { recursive: true });
      // A few history points (one every 10 s) for the charts in the pictures: a steady trickle of queries.
      const names = ['www.example.com', 'pool.example.com', 'example.com', 'start.example.com', 'nope.example.com', 'www.glueless.org'];
      for (let i = 0; i < 700; i++) {
        await q(names[i % names.length]!, i % 7 === 0 ? 'AAAA' : 'A').catch(() => undefined);
        await new Promise((r) => setTimeout(r, 50 + (i % 40)));
      }
    }
    for (const width of [360, 1280]) {
      await page.setViewport({ width, height: width === 360 ? 780 : 900 });
      for (const p of PAGES) {
        await go(p);
        if (p === 'why') {
          // The walk from the root, not the cache: flush everything first (through the Cache page).
          await go('cache');
          await page.type('#flush-zone', '.');
          await page.click('#flush-zone-form button');
          await page.waitForFunction(() => document.getElementById('flush-result')?.textContent?.startsWith('Flushed: '));
          await go('why');
          await page.type('#why-name', 'start.example.com');
          await page.click('#why-run');
          await page.waitForSelector('#why-answer');
        }
        await shots[p]!();
        await page.evaluate(() => document.getElementById('status')!.replaceChildren()); // no passing toast in the picture
        await page.waitForNetworkIdle({ idleTime: 300, timeout: 5000 }).catch(() => undefined);
        const file = join(OUT, `${p}-${width}.png`);
        await page.screenshot({ path: file as `${string}.png`, fullPage: true });
        if (docs && (width === 1280 || p === 'overview')) await page.screenshot({ path: join(DOCS, `${p}${width === 360 ? '-phone' : ''}.png`) as `${string}.png`, fullPage: width === 1280 && p !== 'queries' });
        // Nothing wider than the screen at 360 px but the tables, which scroll inside their own box.
        if (width === 360) expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      }
    }
    for (const p of PAGES) expect(existsSync(join(OUT, `${p}-360.png`)) && existsSync(join(OUT, `${p}-1280.png`))).toBe(true);

    // Keyboard: from the header, Tab walks the navigation; before it comes the skip link.
    await page.goto(`${base}/#/overview`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('#ov-queries');
    await page.click('.brand');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-page'))).toBe('overview');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-page'))).toBe('queries');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#q-form');
    await page.keyboard.down('Shift');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.up('Shift');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip');

    expect(problems).toEqual([]);
    await page.close();
  }, 240_000);
});
