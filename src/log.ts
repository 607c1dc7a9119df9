// Structured logs with pino: JSON by default, human-readable when stdout is a terminal or asked for.
// One event name per kind of event (`event` field), fields not sentences.
import pino, { type Logger } from 'pino';
import type { LogFormat, LogLevel } from './config/schema.js';

export type { Logger };

export function createLogger(level: LogLevel, format: LogFormat): Logger {
  const pretty = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
  if (pretty) {
    return pino({
      level,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } },
    });
  }
  return pino({ level, base: undefined });
}
