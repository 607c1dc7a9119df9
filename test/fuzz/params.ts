// Seed and run count for the fuzz properties: fixed and short in `npm test` (fast, the same every run), from
// FUZZ_SEED / FUZZ_RUNS under `npm run fuzz` (a new seed each time; fast-check prints the seed of a failure).
export function fuzzParams(): { seed: number; numRuns: number } {
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20261204;
  const numRuns = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 2000;
  return { seed, numRuns };
}
