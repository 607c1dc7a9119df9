#!/usr/bin/env node
// Runs the fuzz properties (test/fuzz) with new seeds for as long as asked, and prints the seed of any failure
// so it can be replayed: FUZZ_SEED=<seed> npx vitest run test/fuzz.
//   npm run fuzz                      # 5 minutes, 20000 runs per property per round
//   npm run fuzz -- --minutes 60 --runs 50000
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const minutes = arg('minutes', 5);
const runs = arg('runs', 20000);
const until = Date.now() + minutes * 60_000;
let rounds = 0;
while (Date.now() < until) {
  const seed = randomInt(2 ** 31);
  rounds++;
  process.stdout.write(`round ${rounds}: seed ${seed}, ${runs} runs per property … `);
  const r = spawnSync('npx', ['vitest', 'run', 'test/fuzz', '--reporter=dot'], { env: { ...process.env, FUZZ_SEED: String(seed), FUZZ_RUNS: String(runs) }, encoding: 'utf8' });
  if (r.status !== 0) {
    process.stdout.write(`FAILED\n${r.stdout}\n${r.stderr}\nreplay with: FUZZ_SEED=${seed} FUZZ_RUNS=${runs} npx vitest run test/fuzz\n`);
    process.exit(1);
  }
  process.stdout.write('ok\n');
}
process.stdout.write(`${rounds} rounds, no failure\n`);
