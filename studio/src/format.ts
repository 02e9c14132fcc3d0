/** `12D3KooWAbc…xyz9`: enough of a peer id to tell peers apart. */
export function shortId (id: string): string {
  return id.length <= 16 ? id : `${id.slice(0, 10)}…${id.slice(-6)}`
}

/** `python_expert@12D3KooWAbc…xyz9` */
export function shortAgent (id: string): string {
  const at = id.lastIndexOf('@')
  return at < 0 ? id : `${id.slice(0, at)}@${shortId(id.slice(at + 1))}`
}

export function duration (ms: number): string {
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${s % 60}s`
  const h = Math.floor(m / 60)
  if (h < 48) return `${h}h ${m % 60}m`
  return `${Math.floor(h / 24)}d ${h % 24}h`
}

export function clock (ms: number): string {
  return new Date(ms).toLocaleString()
}

/** A payload's text, or its JSON. */
export function textOf (payload: unknown): string {
  if (payload != null && typeof payload === 'object' && 'text' in payload && typeof payload.text === 'string') return payload.text
  return JSON.stringify(payload)
}
