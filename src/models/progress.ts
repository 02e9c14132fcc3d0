import type { PullEvent } from './pull.js'

/**
 * A byte count for people: `512 B`, `711.7 kB`, `22.9 MB`.
 *
 * @example
 * ```ts
 * formatBytes(22_928_619)   // '22.9 MB'
 * ```
 */
export function formatBytes (bytes: number): string {
  if (bytes < 1000) return `${bytes} B`
  const units = ['kB', 'MB', 'GB', 'TB']
  let value = bytes / 1000
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return `${value.toFixed(1)} ${units[unit] ?? 'TB'}`
}

/** Where progress goes: stderr, or a stand-in with the same two members. */
export interface ProgressStream {
  write: (text: string) => unknown
  isTTY?: boolean
}

/**
 * A pull's progress on `stream` (stderr): a bar redrawn in place on a terminal (bytes done of
 * the total, rate, the file), one line per file otherwise. Feed it the pull's events.
 *
 * @example
 * ```ts
 * const progress = pullProgress(process.stderr)
 * await pullModel(model, { modelDir: modelDir(), onEvent: progress.onEvent })
 * progress.end()
 * ```
 */
export function pullProgress (stream: ProgressStream, now: () => number = Date.now): { onEvent: (event: PullEvent) => void, end: () => void } {
  const tty = stream.isTTY === true
  let total = 0
  const before = new Map<string, number>()
  const done = new Map<string, number>()
  const started = now()
  let resumed = 0
  let lastDraw = 0
  let drawn = false
  const sum = (): number => [...done.values()].reduce((a, b) => a + b, 0)
  const draw = (path: string, force: boolean): void => {
    const t = now()
    if (!force && t - lastDraw < 100) return
    lastDraw = t
    const bytes = sum()
    const rate = (bytes - resumed) / Math.max((t - started) / 1000, 0.001)
    const width = 24
    const filled = total === 0 ? width : Math.min(width, Math.round(width * bytes / total))
    stream.write(`\r\x1b[K[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${formatBytes(bytes)} / ${formatBytes(total)}  ${formatBytes(Math.round(rate))}/s  ${path}`)
    drawn = true
  }
  return {
    onEvent: (event) => {
      if (event.type === 'files') {
        total = event.total
        if (!tty) stream.write(`${event.files.length} files, ${formatBytes(total)}\n`)
        return
      }
      if (event.type === 'progress') {
        const { path, done: bytes } = event.progress
        if (!before.has(path)) {
          before.set(path, bytes)
          resumed += bytes
          if (!tty && bytes > 0) stream.write(`${path}: resuming at ${formatBytes(bytes)}\n`)
        }
        done.set(path, bytes)
        if (tty) draw(path, false)
        return
      }
      done.set(event.path, event.result.size)
      if (tty) draw(event.path, true)
      else stream.write(`${event.path}  ${formatBytes(event.result.size)}  checked${event.result.resumedFrom > 0 ? `, resumed at ${formatBytes(event.result.resumedFrom)}` : ''}\n`)
    },
    end: () => {
      if (tty && drawn) stream.write('\n')
    }
  }
}
