/** Renders rows as an aligned text table with a header. */
export function table (headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)))
  const line = (cells: string[]): string => cells.map((c, i) => i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()
  return [line(headers), ...rows.map(line)].join('\n')
}

/** Renders key/value pairs, one per line, values aligned; list values continue on following lines. */
export function fields (pairs: Array<[string, string | string[]]>): string {
  const width = Math.max(...pairs.map(([k]) => k.length))
  const out: string[] = []
  for (const [key, value] of pairs) {
    const values = Array.isArray(value) ? (value.length === 0 ? ['-'] : value) : [value]
    values.forEach((v, i) => out.push(`${(i === 0 ? key : '').padEnd(width)}  ${v}`))
  }
  return out.join('\n')
}

/**
 * A peer id as the CLI shows it: its last six characters, enough to tell peers apart.
 *
 * @example
 * ```ts
 * shortPeer('12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo')   // '…CVe2Xo'
 * ```
 */
export function shortPeer (peerId: string): string {
  return `…${peerId.slice(-6)}`
}

/**
 * An agent id `<name>@<peer id>` with its peer id shortened.
 *
 * @example
 * ```ts
 * shortAgent('user@12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo')   // 'user@…CVe2Xo'
 * ```
 */
export function shortAgent (agentId: string): string {
  const at = agentId.lastIndexOf('@')
  return at < 0 ? agentId : `${agentId.slice(0, at)}@${shortPeer(agentId.slice(at + 1))}`
}

/** 3723000 -> "1h 2m 3s" */
export function duration (ms: number): string {
  const s = Math.floor(ms / 1000)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const parts = [h > 0 ? `${h}h` : '', h > 0 || m > 0 ? `${m}m` : '', `${s % 60}s`]
  return parts.filter(Boolean).join(' ')
}

export function print (text: string): void {
  process.stdout.write(`${text}\n`)
}

export function printJson (value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`)
}
