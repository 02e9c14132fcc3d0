import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { ApiClient } from '../api/client.js'
import { importId } from '../memory/import-id.js'
import { UsageError } from './errors.js'
import { formatSearchHits } from './memory-search-output.js'
import { print, printJson, table } from './format.js'
import { clientDataDir } from './status.js'
import type { RecordJson } from '../api/routes/memory.js'
import type { MemoryHit } from '../memory/hit.js'
import type { CommunityStats } from '../memory/types.js'
import type { ClientFlags } from './status.js'

function base (community: string): string {
  return `/v1/communities/${encodeURIComponent(community)}/memory`
}

function parseMetadata (text: string | undefined): Record<string, unknown> | undefined {
  if (text == null) return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new UsageError(`--metadata: not JSON (${(err as Error).message})`)
  }
  if (value == null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError('--metadata: must be a JSON object')
  return value as Record<string, unknown>
}

export interface MemoryAddFlags extends ClientFlags {
  kind?: string
  metadata?: string
}

/** `oa-node memory add <community> <text>` */
export async function memoryAddCommand (community: string, text: string, flags: MemoryAddFlags): Promise<number> {
  const api = await ApiClient.fromDataDir(clientDataDir(flags))
  const { record } = await api.post<{ record: RecordJson }>(base(community), { text, kind: flags.kind, metadata: parseMetadata(flags.metadata) })
  if (flags.json === true) printJson(record)
  else print(`remembered ${record.id} (${record.kind}) in ${community}`)
  return 0
}

export interface MemorySearchFlags extends ClientFlags {
  mode?: string
  k?: number
  kind?: string[]
}

/** `oa-node memory search <community> <query>` */
export async function memorySearchCommand (community: string, query: string, flags: MemorySearchFlags): Promise<number> {
  const api = await ApiClient.fromDataDir(clientDataDir(flags))
  const params = new URLSearchParams({ q: query, mode: flags.mode ?? 'hybrid', k: String(flags.k ?? 5) })
  for (const kind of flags.kind ?? []) params.append('kind', kind)
  const { hits } = await api.get<{ hits: MemoryHit[] }>(`${base(community)}/search?${params.toString()}`)
  if (flags.json === true) {
    for (const hit of hits) printJson(hit)
    return 0
  }
  print(formatSearchHits(hits))
  return 0
}

/**
 * `oa-node memory delete <community> <id>`: deletes one of this node's records on every
 * replica (a signed tombstone); another node's record is refused.
 */
export async function memoryDeleteCommand (community: string, id: string, flags: ClientFlags): Promise<number> {
  const api = await ApiClient.fromDataDir(clientDataDir(flags))
  const result = await api.delete<{ id: string, origin: string, seq: number }>(`${base(community)}/${encodeURIComponent(id)}`)
  if (flags.json === true) printJson(result)
  else print(`deleted ${result.id} from ${community} (tombstone seq ${result.seq}, replicated to every member)`)
  return 0
}

/** `oa-node memory export <community>`: every record as JSONL on stdout. */
export async function memoryExportCommand (community: string, flags: ClientFlags): Promise<number> {
  const api = await ApiClient.fromDataDir(clientDataDir(flags))
  let after: string | undefined
  let n = 0
  for (;;) {
    const query = new URLSearchParams({ limit: '500' })
    if (after != null) query.set('after', after)
    const { records, next } = await api.get<{ records: RecordJson[], next?: string }>(`${base(community)}/records?${query.toString()}`)
    for (const r of records) {
      process.stdout.write(`${JSON.stringify({ id: r.id, kind: r.kind, text: r.text, metadata: r.metadata, agent: r.agent, createdAt: r.createdAt })}\n`)
      n++
    }
    if (next == null) break
    after = next
  }
  process.stderr.write(`exported ${n} records of ${community}\n`)
  return 0
}

interface ImportLine {
  line: number
  record: { text: string, kind?: string, metadata?: Record<string, unknown>, id?: string }
}

/** Checks one JSONL line; returns the record or why it is rejected. */
export function parseImportLine (text: string): ImportLine['record'] | string {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return `not JSON (${(err as Error).message})`
  }
  if (value == null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object'
  const v = value as Record<string, unknown>
  if (typeof v.text !== 'string') return '"text" is missing or not a string'
  if (v.kind != null && typeof v.kind !== 'string') return '"kind" is not a string'
  if (v.id != null && typeof v.id !== 'string') return '"id" is not a string'
  if (v.metadata != null && (typeof v.metadata !== 'object' || Array.isArray(v.metadata))) return '"metadata" is not an object'
  return { text: v.text, ...(v.kind == null ? {} : { kind: v.kind }), ...(v.id == null ? {} : { id: v.id }), ...(v.metadata == null ? {} : { metadata: v.metadata as Record<string, unknown> }) }
}

function progress (done: number, total: number, counts: ImportCounts, rejected: number): void {
  const width = 30
  const share = total === 0 ? 1 : Math.min(1, done / total)
  const bar = `${'#'.repeat(Math.round(share * width))}${'-'.repeat(width - Math.round(share * width))}`
  const line = `[${bar}] ${Math.round(share * 100)}%  ${counts.added} new, ${counts.updated} updated, ${counts.present} already present, ${rejected} rejected`
  if (process.stderr.isTTY) process.stderr.write(`\r${line}`)
  else process.stderr.write(`${line}\n`)
}

export interface MemoryImportFlags extends ClientFlags {
  kind?: string
  /** Write the records as this agent of the node (`python_expert`), whose knowledge they become. */
  agent?: string
}

/** What an import did with the lines it took. */
interface ImportCounts {
  /** Written as new records. */
  added: number
  /** New versions of records this node held under the line's id with other content. */
  updated: number
  /** Held already with the same content, by this node or (under the id derived from the line) by another node of the community. */
  present: number
}

const IMPORT_BATCH = 200

/** The `memory import --help` text after the options: the line format. */
export const IMPORT_HELP = `
Each line of the file is one JSON object:
  text      string, required: what to remember
  kind      string, optional: lowercase letters, digits and "_" (default: --kind, else expert_knowledge)
  metadata  object, optional: any JSON; metadata.source (for example the file it came from) is part of the derived id
  id        string, optional: the record's id (letters, digits, ".", "_", ":", "-"; up to 128)
Other fields (agent, createdAt, question, ...) are ignored.

Example line:
  {"id": "vdb-002", "text": "HNSW's M is the number of links per node; larger M improves recall.", "kind": "expert_knowledge", "metadata": {"topic": "vector databases"}}

Importing is idempotent: a line without an id gets one derived from the community, kind,
text and metadata.source, so importing a file again writes nothing new and reports the
lines as already present. Bad lines are reported as file:line: reason; the rest are imported.
`

/**
 * \`oa-node memory import <community> <file.jsonl>\`: one \`{"text", "kind"?, "metadata"?, "id"?}\`
 * per line (see IMPORT_HELP). A line without an id gets \`importId(...)\`, so importing a
 * file twice leaves the community's count unchanged; the result says how many lines were
 * new, updated and already present. Rejected lines are reported with their numbers and
 * the rest are imported.
 */
export async function memoryImportCommand (community: string, file: string, flags: MemoryImportFlags): Promise<number> {
  let size: number
  try {
    size = (await stat(file)).size
  } catch (err) {
    throw new UsageError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
  }
  const api = await ApiClient.fromDataDir(clientDataDir(flags))
  // an agent named without its node is one of this node's: an expert of scope own draws on its records
  const agent = flags.agent == null ? undefined : flags.agent.includes('@') ? flags.agent : `${flags.agent}@${(await api.get<{ peerId: string }>('/v1/status')).peerId}`
  const rejected: Array<{ line: number, error: string }> = []
  const counts: ImportCounts = { added: 0, updated: 0, present: 0 }
  /** Derived ids sent so far: a line repeated in the file names a record already imported from it. */
  const sent = new Set<string>()
  let bytes = 0
  let batch: Array<ImportLine & { derived: boolean }> = []
  const send = async (): Promise<void> => {
    if (batch.length === 0) return
    const result = await api.post<{ records: RecordJson[], rejected: Array<{ index: number, error: string, code?: string }>, added: number, updated: number, unchanged: number }>(base(community), { records: batch.map(b => b.record) })
    counts.added += result.added
    counts.updated += result.updated
    counts.present += result.unchanged
    for (const r of result.rejected) {
      const line = batch[r.index]
      // a derived id another node holds: that node imported the same line, and replication brings its record here
      if (r.code === 'not_owner' && line?.derived === true) counts.present++
      else rejected.push({ line: line?.line ?? 0, error: r.error })
    }
    batch = []
    progress(bytes, size, counts, rejected.length)
  }
  let lineNo = 0
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    lineNo++
    bytes += Buffer.byteLength(line) + 1
    if (line.trim() === '') continue
    const parsed = parseImportLine(line)
    if (typeof parsed === 'string') {
      rejected.push({ line: lineNo, error: parsed })
      continue
    }
    const kind = parsed.kind ?? flags.kind
    const record = { ...parsed, ...(kind == null ? {} : { kind }), ...(agent == null ? {} : { agent }) }
    const id = record.id ?? importId(community, record)
    if (record.id == null) {
      if (sent.has(id)) {
        counts.present++
        continue
      }
      sent.add(id)
    }
    batch.push({ line: lineNo, record: { ...record, id }, derived: record.id == null })
    if (batch.length >= IMPORT_BATCH) await send()
  }
  await send()
  if (process.stderr.isTTY) process.stderr.write('\n')
  rejected.sort((a, b) => a.line - b.line)
  for (const r of rejected) process.stderr.write(`${file}:${r.line}: ${r.error}\n`)
  const imported = counts.added + counts.updated + counts.present
  if (flags.json === true) printJson({ imported, new: counts.added, updated: counts.updated, alreadyPresent: counts.present, rejected })
  else print(`imported ${imported} records into ${community}: ${counts.added} new, ${counts.updated} updated, ${counts.present} already present${rejected.length > 0 ? `; rejected ${rejected.length} lines (listed above)` : ''}`)
  return rejected.length > 0 && imported === 0 ? 2 : 0
}

export interface MemoryStatsFlags extends ClientFlags {
  community?: string
}

interface ReplicaOrigin { records: number, highestSeq: number, knownSeq: number, lag: number }

interface MemoryInfo {
  store: string
  embedder: string
  dimension: number
  seq: number
  replication: { rejected: { total: number }, received: { gossip: number, sync: number }, published: number }
  communities: Record<string, CommunityStats & { replication: Record<string, ReplicaOrigin> }>
}

/** `oa-node memory stats` */
export async function memoryStatsCommand (flags: MemoryStatsFlags): Promise<number> {
  const api = await ApiClient.fromDataDir(clientDataDir(flags))
  const info = await api.get<MemoryInfo>('/v1/memory')
  if (flags.community != null && info.communities[flags.community] == null) throw new UsageError(`--community: this node has not joined "${flags.community}"`)
  const communities = flags.community == null ? info.communities : { [flags.community]: info.communities[flags.community] }
  if (flags.json === true) {
    printJson({ ...info, communities })
    return 0
  }
  print(`store ${info.store}, embedder ${info.embedder} (${info.dimension} dimensions), this node's seq ${info.seq}`)
  print(`replication: ${info.replication.published} published, ${info.replication.received.gossip} received by gossip, ${info.replication.received.sync} by sync, ${info.replication.rejected.total} rejected`)
  for (const [name, stats] of Object.entries(communities)) {
    if (stats == null) continue
    print(`\n${name}: ${stats.records} records`)
    const kinds = Object.entries(stats.byKind)
    if (kinds.length > 0) print(table(['KIND', 'RECORDS'], kinds.map(([k, n]) => [k, String(n)])))
    const origins = Object.entries(stats.replication)
    if (origins.length > 0) print(table(['ORIGIN', 'RECORDS', 'HIGHEST SEQ', 'KNOWN SEQ', 'LAG'], origins.map(([o, s]) => [o, String(s.records), String(s.highestSeq), String(s.knownSeq), String(s.lag)])))
  }
  return 0
}
