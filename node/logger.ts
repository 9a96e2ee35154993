// The one logging floor (pino), for server/ and main/ alike.
//  - createLogger: the server's logger, JSON lines on stderr (stdout is reserved for the CLI's ready line);
//  - stderrLogger: headless tools, level from LINKMIC_LOG_LEVEL (default warn);
//  - silentLogger: a host that gives the engine no logger gets one that logs nothing.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const satisfies readonly LevelWithSilent[];
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(options: { level?: LogLevel; name?: string } = {}): Logger {
  return pino({ name: options.name ?? 'linkmic-server', level: options.level ?? 'info' }, pino.destination({ fd: 2, sync: true }));
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** A logger for headless tools: JSON lines on stderr, level from LINKMIC_LOG_LEVEL (default warn). */
export function stderrLogger(name: string): Logger {
  return pino({ name, level: process.env['LINKMIC_LOG_LEVEL'] ?? 'warn' }, pino.destination(2));
}
