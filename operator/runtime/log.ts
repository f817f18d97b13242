// Structured JSON logs on stdout. Secrets never reach a log line: callers log names and references only.
import { pino, type Logger } from 'pino'

export type { Logger }

export function createLogger(name: string): Logger {
  return pino({ name, level: process.env['LOG_LEVEL'] ?? 'info', base: undefined, timestamp: pino.stdTimeFunctions.isoTime })
}

/** A logger that drops everything, for tests that assert on behaviour rather than logs. */
export const silentLogger: Logger = pino({ level: 'silent' })
