#!/usr/bin/env node
// What signing the lab costs at `rootline lab` start (issue 19: under a second): key generation, RRSIGs, NSEC and
// NSEC3 chains and DS for every lab zone, as startLab does it. Each run is a fresh process (a cold start, as a
// user gets it); the figure is the lab's own signingMs.
//   npm run build && node scripts/bench/lab-signing.mjs [--runs 10]
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opt } = parseArgs({ options: { runs: { type: 'string', default: '10' } } });
const runs = Number(opt.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive whole number');

const once = `
  const { signLab } = await import(${JSON.stringify(`${repo}/dist/lab/sign-lab.js`)});
  const { labServers, LAB_SIGNING } = await import(${JSON.stringify(`${repo}/dist/lab/lab-zones.js`)});
  const lab = signLab(labServers('127.53'), LAB_SIGNING, Date.now());
  const rrsigs = [...lab.signed.values()].reduce((n, z) => n + z.zone.records.filter((r) => r.type === 'RRSIG').length, 0);
  console.log(JSON.stringify({ ms: lab.signingMs, zones: lab.signed.size, rrsigs }));
`;
const results = [];
for (let i = 0; i < runs; i++) results.push(JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', once], { encoding: 'utf8' })));
const ms = results.map((r) => r.ms).sort((a, b) => a - b);
const median = ms[Math.floor((ms.length - 1) / 2)];
console.log(`lab signing, ${runs} cold runs: ${results[0].zones} zones, ${results[0].rrsigs} RRSIGs; median ${median.toFixed(1)} ms, max ${ms[ms.length - 1].toFixed(1)} ms, min ${ms[0].toFixed(1)} ms`);
