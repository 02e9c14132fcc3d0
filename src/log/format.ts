/**
 * Log lines a person can read: one pino JSON entry becomes one line,
 * `12:04:31 WARN  [node-2] cannot reach any bootstrap peer attempt=2`.
 */
import type { LOG_FORMATS } from '../config/schema.js'

/** `auto` (text on a terminal, JSON lines otherwise), `text` or `json`. */
export type LogFormat = typeof LOG_FORMATS[number]

export interface TextLineOptions {
  /** Add the error's stack under the line (`--verbose`). */
  verbose?: boolean
  /** Colour the level (ANSI), for a terminal. */
  color?: boolean
  /** Name shown as `[name]`; default the entry's `node` field. */
  name?: string
}

const LEVELS: Record<number, { label: string, color: string }> = {
  10: { label: 'TRACE', color: '90' },
  20: { label: 'DEBUG', color: '90' },
  30: { label: 'INFO', color: '36' },
  40: { label: 'WARN', color: '33' },
  50: { label: 'ERROR', color: '31' },
  60: { label: 'FATAL', color: '31;1' }
}

/** Keys shown in their own place (or not at all), not as `key=value`. */
const OWN_PLACE = new Set(['level', 'time', 'pid', 'hostname', 'node', 'msg', 'err', 'v'])

/**
 * Control characters (a newline, an escape sequence) could break the line or drive the
 * terminal; a peer's text can reach a log, so they are shown escaped.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f]/

function escapeControls (text: string): string {
  return text.replace(CONTROL, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

function two (n: number): string {
  return String(n).padStart(2, '0')
}

/** Local wall-clock time of an entry (`time` as ISO 8601 or ms since the epoch). */
function clock (time: unknown): string {
  const date = typeof time === 'string' || typeof time === 'number' ? new Date(time) : undefined
  if (date == null || Number.isNaN(date.getTime())) return '--:--:--'
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`
}

function levelOf (level: unknown): { label: string, color: string } {
  if (typeof level === 'number') {
    const known = LEVELS[level]
    if (known != null) return known
    return { label: `L${level}`, color: '0' }
  }
  if (typeof level === 'string' && level !== '') return { label: level.toUpperCase().slice(0, 5), color: '0' }
  return { label: '-', color: '0' }
}

/** A value as it appears after `key=`: bare when that is unambiguous, JSON otherwise. */
function renderValue (value: unknown): string {
  if (typeof value === 'string') return value !== '' && /^[^\s"=\\]+$/.test(value) && !HAS_CONTROL.test(value) ? value : escapeControls(JSON.stringify(value))
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value)
  // JSON.stringify gives undefined for a function or a symbol, which JSON lines never hold
  return escapeControls(JSON.stringify(value) ?? typeof value)
}

interface ErrorEntry {
  message?: unknown
  stack?: unknown
  type?: unknown
}

/**
 * One log entry (a parsed pino line) as one text line: local time, level, `[name]`,
 * message, then the other fields as `key=value`. An `err` field shows its message after
 * the line's message; its stack follows on the next lines with `verbose`.
 *
 * @example
 * ```ts
 * formatLogEntry({ level: 40, time: '2026-01-01T12:04:31.000Z', node: 'node-2', msg: 'cannot reach any bootstrap peer', attempt: 2 })
 * // '12:04:31 WARN  [node-2] cannot reach any bootstrap peer attempt=2' (time in the local zone)
 * ```
 */
export function formatLogEntry (entry: Record<string, unknown>, options: TextLineOptions = {}): string {
  const level = levelOf(entry.level)
  const label = level.label.padEnd(5)
  const name = options.name ?? (typeof entry.node === 'string' ? entry.node : undefined)
  let msg = typeof entry.msg === 'string' ? entry.msg : entry.msg == null ? '' : renderValue(entry.msg)
  const err = entry.err != null && typeof entry.err === 'object' ? entry.err as ErrorEntry : undefined
  const errMessage = err == null ? undefined : typeof err.message === 'string' ? err.message : renderValue(err)
  if (errMessage != null && errMessage !== '' && errMessage !== msg) msg = msg === '' ? errMessage : `${msg}: ${errMessage}`
  const fields = Object.entries(entry)
    .filter(([key, value]) => !OWN_PLACE.has(key) && value !== undefined)
    .map(([key, value]) => `${escapeControls(key)}=${renderValue(value)}`)
  const parts = [
    options.color === true ? `\x1b[2m${clock(entry.time)}\x1b[0m` : clock(entry.time),
    options.color === true ? `\x1b[${level.color}m${label}\x1b[0m` : label,
    ...(name != null ? [`[${escapeControls(name)}]`] : []),
    ...(msg !== '' ? [escapeControls(msg)] : []),
    ...fields
  ]
  let line = parts.join(' ')
  if (options.verbose === true && typeof err?.stack === 'string') {
    // the stack's first line repeats the message
    const frames = err.stack.split('\n').slice(1).map(l => `    ${escapeControls(l.trim())}`)
    if (frames.length > 0) line += `\n${frames.join('\n')}`
  }
  return line
}

/**
 * One pino JSON line as one text line (see {@link formatLogEntry}); a line that is not a
 * JSON object is returned as it is, control characters escaped.
 *
 * @example
 * ```ts
 * formatLogLine('{"level":30,"time":"2026-01-01T12:00:00.000Z","msg":"node started","peerId":"12D3KooW..."}')
 * // '12:00:00 INFO  node started peerId=12D3KooW...'
 * ```
 */
export function formatLogLine (line: string, options: TextLineOptions = {}): string {
  const text = line.replace(/\r?\n$/, '')
  const entry = parseEntry(text)
  if (entry == null) return `${options.name != null ? `[${escapeControls(options.name)}] ` : ''}${escapeControls(text)}`
  return formatLogEntry(entry, options)
}

/**
 * The JSON object of a log line, or undefined when the line is not one.
 *
 * @example
 * ```ts
 * parseEntry('{"level":40,"msg":"slow"}')?.level // 40
 * parseEntry('libp2p:tcp listening') // undefined
 * ```
 */
export function parseEntry (line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined
  try {
    const value: unknown = JSON.parse(line)
    return value != null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}

/**
 * The format actually used: `auto` is `text` when the output is a terminal, `json`
 * otherwise.
 *
 * @example
 * ```ts
 * resolveLogFormat('auto', process.stderr.isTTY) // 'text' in a terminal
 * ```
 */
export function resolveLogFormat (format: LogFormat | undefined, isTTY: boolean | undefined): 'text' | 'json' {
  if (format === 'text' || format === 'json') return format
  return isTTY === true ? 'text' : 'json'
}

/**
 * Whether to colour text logs written to a stream: a terminal, and `NO_COLOR` unset.
 *
 * @example
 * ```ts
 * const color = useColor(process.stderr, process.env)
 * ```
 */
export function useColor (stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && (env.NO_COLOR == null || env.NO_COLOR === '')
}

/**
 * A line a node of a cluster wrote on stderr (a JSON entry, or other output such as
 * `DEBUG=` lines), as the cluster shows it: in `text`, a text line with `[name]`; in
 * `json`, the entry with `node` set to the name (other output prefixed with `[name]`).
 *
 * @example
 * ```ts
 * relayLogLine('node-2', '{"level":40,"time":"2026-01-01T12:04:31.000Z","msg":"slow"}', { format: 'json' })
 * // '{"level":40,"time":"2026-01-01T12:04:31.000Z","msg":"slow","node":"node-2"}'
 * ```
 */
export function relayLogLine (name: string, line: string, options: TextLineOptions & { format: 'text' | 'json' }): string {
  const entry = parseEntry(line)
  if (options.format === 'json' && entry != null) return JSON.stringify({ ...entry, node: name })
  return formatLogLine(line, { ...options, name })
}
