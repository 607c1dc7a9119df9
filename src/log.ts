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
  const destination = pino.destination({ dest: 1, sync: true });
  const logger = pino({ level, base: undefined }, destination);
  // stdout closed under us (a log reader that went away: `rootline serve | head`): stop logging instead of
  // retrying the write forever, which would also keep the process from exiting on SIGTERM.
  const stopLogging = (): void => {
    logger.level = 'silent';
    destination.write = () => true;
    destination.flushSync = () => undefined;
  };
  destination.on('error', stopLogging);
  process.stdout.on('error', stopLogging);
  return logger;
}
