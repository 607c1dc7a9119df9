// Running the checks together and saying what they found: one line each, worst first in the exit status.
import { checkEdnsAndClock, checkInterception, checkLargeAnswers, checkPort, checkResolvConf, checkRootTransports, type CheckResult, type DoctorContext, type Status } from './checks.js';

export async function runChecks(ctx: DoctorContext): Promise<CheckResult[]> {
  const [port, resolv, transports, interception, large, ednsClock] = await Promise.all([
    checkPort(ctx),
    checkResolvConf(ctx),
    checkRootTransports(ctx),
    checkInterception(ctx),
    checkLargeAnswers(ctx),
    checkEdnsAndClock(ctx),
  ]);
  return [port, resolv, transports, interception, large, ...ednsClock];
}

const LABEL: Record<Status, string> = { ok: 'ok', warning: 'warning', problem: 'PROBLEM', skipped: 'skipped' };

export function formatResults(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.check.length));
  return results.map((r) => `${LABEL[r.status].padEnd(8)} ${r.check.padEnd(width)}  ${r.message}${r.fix ? `\n${' '.repeat(width + 11)}fix: ${r.fix}` : ''}`).join('\n');
}

export const hasProblem = (results: readonly CheckResult[]): boolean => results.some((r) => r.status === 'problem');
