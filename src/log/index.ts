/**
 * Logs on stderr through pino, quiet by default (warnings and errors only): one readable
 * line per entry on a terminal, JSON lines otherwise (`format`). `--verbose` shows info
 * and debug; `DEBUG=oa:*` turns on the debug scopes inside services (and
 * `DEBUG=libp2p:*` those of libp2p itself).
 *
 * @example
 * ```ts
 * const log = createLogger({ level: 'warn' })
 * log.warn({ attempt: 2 }, 'cannot reach any bootstrap peer')
 * // on a terminal: 12:04:31 WARN  cannot reach any bootstrap peer attempt=2
 * ```
 */
import { pino } from 'pino'
import { formatLogLine, resolveLogFormat, useColor } from './format.js'
import type { LogFormat } from './format.js'
import type { DestinationStream, Logger } from 'pino'

export type { Logger }
export type { LogFormat, TextLineOptions } from './format.js'
export { formatLogEntry, formatLogLine, parseEntry, relayLogLine, resolveLogFormat, useColor } from './format.js'

export interface LoggerOptions {
  level: 'silent' | 'error' | 'warn' | 'info' | 'debug'
  /** Shorthand for level debug; text lines also show error stacks. */
  verbose?: boolean
  /** Name shown in every line (the cluster uses node names). */
  name?: string
  /** `auto` (default): text when stderr is a terminal, JSON lines otherwise. */
  format?: LogFormat
}

/**
 * A pino logger writing to stderr in the chosen format.
 *
 * @example
 * ```ts
 * const log = createLogger({ level: 'info', format: 'json', name: 'node-1' })
 * log.info({ peerId }, 'node started')
 * // {"level":30,"time":"...","pid":4242,"node":"node-1","peerId":"12D3KooW...","msg":"node started"}
 * ```
 */
export function createLogger (options: LoggerOptions): Logger {
  const stderr = pino.destination({ fd: 2, sync: true })
  const verbose = options.verbose === true
  let destination: DestinationStream = stderr
  if (resolveLogFormat(options.format, process.stderr.isTTY) === 'text') {
    const color = useColor(process.stderr, process.env)
    destination = { write: (line: string) => { stderr.write(`${formatLogLine(line, { verbose, color })}\n`) } }
  }
  return pino({
    level: verbose ? 'debug' : options.level,
    base: options.name == null ? { pid: process.pid } : { pid: process.pid, node: options.name },
    timestamp: pino.stdTimeFunctions.isoTime
  }, destination)
}
