import { readFileSync, readdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { cpus, totalmem } from 'node:os'

/** Milliseconds since `start` (a performance.now() reading), rounded to 0.1 ms. */
export function since (start: number): number {
  return Math.round((performance.now() - start) * 10) / 10
}

export function percentile (values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  return sorted[Math.max(0, index)] ?? Number.NaN
}

export function mean (values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length
}

/** Resident set size of a process in MiB, from /proc (Linux). */
export async function rssMiB (pid: number, field: 'VmRSS' | 'RssAnon' | 'RssFile' = 'VmRSS'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN)
  return Math.round((kb / 1024) * 10) / 10
}

export function machine (): string {
  const cpu = cpus()
  return `${cpu.length} x ${cpu[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`
}

/** One figure of a benchmark. */
export interface Figure {
  bench: string
  name: string
  value: number
  unit: string
  note?: string
}

export function printTable (figures: Figure[]): void {
  const rows = figures.map(f => [f.bench, f.name, Number.isFinite(f.value) ? String(f.value) : 'n/a', f.unit, f.note ?? ''])
  const headers = ['bench', 'figure', 'value', 'unit', 'note']
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)))
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()
  process.stdout.write(`${line(headers)}\n${widths.map(w => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n`)
}

/** Least-squares slope of `ys` over `xs` (0 for fewer than two points). */
export function slope (xs: number[], ys: number[]): number {
  const n = Math.min(xs.length, ys.length)
  if (n < 2) return 0
  const mx = mean(xs.slice(0, n))
  const my = mean(ys.slice(0, n))
  let num = 0
  let den = 0
  for (let i = 0; i < n; i++) {
    num += ((xs[i] ?? 0) - mx) * ((ys[i] ?? 0) - my)
    den += ((xs[i] ?? 0) - mx) ** 2
  }
  return den === 0 ? 0 : num / den
}

/**
 * CPU milliseconds each kind of thread of this process has used so far (Linux: from
 * /proc/self/task; empty elsewhere), by thread name with its number left out:
 * `MainThread` (the event loop), `libuv-worker` (the thread pool: signature checks),
 * `oa-memory-index` (the vector index), `V8Worker` (garbage collection, compilation).
 */
export function threadCpuMs (): Map<string, number> {
  const out = new Map<string, number>()
  let tids: string[]
  try {
    tids = readdirSync('/proc/self/task')
  } catch {
    return out
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
      const name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim().replace(/[0-9]+$/, '')
      // utime and stime, in clock ticks of 10 ms, are fields 14 and 15 (11 and 12 after the name)
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      out.set(name, (out.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) * 10)
    } catch {
      // the thread ended meanwhile
    }
  }
  return out
}

/** CPU milliseconds by kind of thread between two `threadCpuMs` readings. */
export function threadCpuSince (before: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>()
  for (const [name, ms] of threadCpuMs()) out.set(name, ms - (before.get(name) ?? 0))
  return out
}
