// pino for the server: JSON lines on stderr (stdout is reserved for the CLI's ready line).
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const satisfies readonly LevelWithSilent[];
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(options: { level?: LogLevel; name?: string } = {}): Logger {
  return pino({ name: options.name ?? 'linkmic-server', level: options.level ?? 'info' }, pino.destination({ fd: 2, sync: true }));
}
