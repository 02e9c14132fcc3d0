/**
 * Structured logs: JSON lines on stderr through pino, quiet by default (warnings and
 * errors only). `--verbose` shows info and debug; `DEBUG=oa:*` turns on the debug
 * scopes inside services (and `DEBUG=libp2p:*` those of libp2p itself).
 *
 * @example
 * ```ts
 * const log = createLogger({ level: 'warn' })
 * log.warn({ attempt: 2 }, 'cannot reach any bootstrap peer')
 * ```
 */
import { pino } from 'pino'
import type { Logger } from 'pino'

export type { Logger }

export interface LoggerOptions {
  level: 'silent' | 'error' | 'warn' | 'info' | 'debug'
  /** Shorthand for level debug. */
  verbose?: boolean
  /** Name shown in every line (the cluster uses node names). */
  name?: string
}

export function createLogger (options: LoggerOptions): Logger {
  return pino({
    level: options.verbose === true ? 'debug' : options.level,
    base: options.name == null ? { pid: process.pid } : { pid: process.pid, node: options.name },
    timestamp: pino.stdTimeFunctions.isoTime
  }, pino.destination({ fd: 2, sync: true }))
}
