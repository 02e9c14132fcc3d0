import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { PACKAGE_ROOT } from '../../src/version.js'

/** Where the sentences come from, in this order, and how each kind of file gives up its prose. */
interface Source {
  dir: string
  ends: string[]
  prose: (text: string) => string[]
  gzip?: boolean
}

const SPLIT = /(?<=[.!?])\s+(?=[A-Z])/

/** Prose paragraphs of Markdown: code blocks, HTML, tables, headings and quotes left out, links as their text. */
function markdownProse (text: string): string[] {
  const body = text.replace(/```[\s\S]*?```/g, ' ').replace(/<[^>]+>/g, ' ').replace(/!\[[^\]]*\]\([^)]*\)/g, ' ')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/`([^`]*)`/g, '$1')
  const lines = body.split('\n').filter(l => !/^\s*(#|\||> |-{3,}|={3,})/.test(l) && !/^( {4}|\t)/.test(l))
  return lines.join('\n').split(/\n\s*\n/).map(p => p.replace(/^\s*([-*+]|\d+\.)\s+/, ''))
}

/** Doc and line comments of JavaScript and TypeScript, tags (`@param`) left out. */
function commentProse (text: string): string[] {
  const out: string[] = []
  for (const m of text.matchAll(/\/\*([\s\S]*?)\*\//g)) {
    out.push((m[1] ?? '').split('\n').map(l => l.replace(/^\s*\*\s?/, '')).filter(l => !l.startsWith('@')).join(' ').replace(/\{@link\s+([^}]*)\}/g, '$1'))
  }
  let run: string[] = []
  for (const line of text.split('\n')) {
    const m = /^\s*\/\/\s?(.*)$/.exec(line)
    if (m != null) run.push(m[1] ?? '')
    else if (run.length > 0) {
      out.push(run.join(' '))
      run = []
    }
  }
  return out
}

/** Docstrings and comment blocks of Python. */
function pythonProse (text: string): string[] {
  const out: string[] = []
  for (const m of text.matchAll(/("""|''')([\s\S]*?)\1/g)) out.push(...(m[2] ?? '').split(/\n\s*\n/))
  let run: string[] = []
  for (const line of text.split('\n')) {
    const m = /^\s*#\s?(.*)$/.exec(line)
    if (m != null) run.push(m[1] ?? '')
    else if (run.length > 0) {
      out.push(run.join(' '))
      run = []
    }
  }
  return out
}

/** Running text of a manual page (roff): requests and font escapes left out. */
function manProse (text: string): string[] {
  const lines = text.split('\n').filter(l => !l.startsWith('.') && !l.startsWith("'"))
    .map(l => l.replace(/\\-/g, '-').replace(/\\f(\(..|\[[^\]]*\]|.)|\\\(..|\\s[-+]?\d|\\[&e|^]/g, ''))
  return lines.join('\n').split(/\n\s*\n/)
}

const MODULES = join(PACKAGE_ROOT, 'node_modules')
const SOURCES: Source[] = [
  { dir: MODULES, ends: ['.md', '.markdown'], prose: markdownProse },
  { dir: MODULES, ends: ['.d.ts'], prose: commentProse },
  { dir: MODULES, ends: ['.js', '.mjs', '.cjs', '.ts'], prose: commentProse },
  { dir: '/usr/lib/python3', ends: ['.py'], prose: pythonProse },
  ...['man1', 'man3', 'man5', 'man7', 'man8'].map(m => ({ dir: `/usr/share/man/${m}`, ends: ['.gz'], prose: manProse, gzip: true }))
]

/** A sentence worth keeping: a capital first, an end mark last, six words or more, mostly letters. */
function isSentence (s: string): boolean {
  if (s.length < 30 || s.length > 400 || !/^[A-Z]/.test(s) || !/[.!?]$/.test(s)) return false
  if ((s.match(/[A-Za-z]+/g) ?? []).length < 6) return false
  return s.replace(/[^A-Za-z ]/g, '').length / s.length > 0.85
}

function* files (dir: string, ends: string[]): Generator<string> {
  let entries
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return
  }
  entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  for (const e of entries) {
    const path = join(dir, e.name)
    if (e.isDirectory()) yield * files(path, ends)
    else if (e.isFile() && ends.some(end => e.name.endsWith(end)) && !e.name.endsWith('.min.js')) yield path
  }
}

/** What `englishSentences` found, and where. */
export interface Sentences {
  sentences: string[]
  /** Files read per source folder. */
  sources: Record<string, number>
}

/**
 * Up to `n` distinct English sentences from text found on this machine: the Markdown and
 * source comments of the packages in node_modules, then Python's docstrings and the manual
 * pages, in a fixed order (folders sorted by name), so the same machine gives the same list.
 *
 * @example
 * ```ts
 * const { sentences } = englishSentences(100_000)
 * ```
 */
export function englishSentences (n: number): Sentences {
  const seen = new Set<string>()
  const sources: Record<string, number> = {}
  for (const source of SOURCES) {
    if (seen.size >= n) break
    // .d.ts files belong to the second source only
    const ends = source.prose === commentProse && !source.ends.includes('.d.ts') ? (path: string) => !path.endsWith('.d.ts') : () => true
    for (const path of files(source.dir, source.ends)) {
      if (seen.size >= n) break
      if (!ends(path)) continue
      let text: string
      try {
        if (statSync(path).size > 2_000_000) continue
        const raw = readFileSync(path)
        text = (source.gzip === true ? gunzipSync(raw) : raw).toString('utf8')
      } catch {
        continue
      }
      const label = source.dir === MODULES ? `node_modules (${source.ends[0] ?? ''})` : source.dir
      sources[label] = (sources[label] ?? 0) + 1
      for (const paragraph of source.prose(text)) {
        for (const piece of paragraph.replace(/\s+/g, ' ').split(SPLIT)) {
          const s = piece.trim()
          if (isSentence(s)) seen.add(s)
          if (seen.size >= n) break
        }
      }
    }
  }
  return { sentences: [...seen], sources }
}
