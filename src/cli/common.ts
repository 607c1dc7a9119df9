// Shared CLI plumbing: the default root hints location, option parsers, and turning errors into one line.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, RootlineError } from '../errors.js';

/** root-hints/named.root shipped with the package (IANA's file). */
export const DEFAULT_ROOT_HINTS = resolve(dirname(fileURLToPath(import.meta.url)), '../../root-hints/named.root');

export function parseWholeNumber(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new RootlineError(ErrorCode.BAD_ARGUMENT, `${flag} takes a whole number, got '${value}'`);
    return Number(value);
  };
}

/** A flag value that must be one of a few words. */
export function parseOneOf<T extends string>(flag: string, values: readonly T[]) {
  return (value: string): T => {
    if (!(values as readonly string[]).includes(value)) throw new RootlineError(ErrorCode.BAD_ARGUMENT, `${flag} takes one of ${values.join(', ')}, got '${value}'`);
    return value as T;
  };
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export const LOG_FORMATS = ['json', 'pretty', 'auto'] as const;

export function collect(value: string, previous: string[] | undefined): string[] {
  return (previous ?? []).concat(value);
}

/** Prints a user-facing error as one line and exits; anything else is a bug and keeps its stack. */
export function exitWithError(e: unknown): never {
  if (e instanceof RootlineError) {
    process.stderr.write(`rootline: ${e.message} [${e.code}]\n`);
  } else {
    process.stderr.write(`rootline: unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
  }
  process.exit(1);
}
