// The engine takes a pino logger from its host; without one it logs nothing.
import { pino, type Logger } from 'pino';

export type EngineLogger = Logger;

export function silentLogger(): EngineLogger {
  return pino({ level: 'silent' });
}

/** A logger for headless tools: JSON lines on stderr, level from LINKMIC_LOG_LEVEL (default warn). */
export function stderrLogger(name: string): EngineLogger {
  return pino({ name, level: process.env['LINKMIC_LOG_LEVEL'] ?? 'warn' }, pino.destination(2));
}
