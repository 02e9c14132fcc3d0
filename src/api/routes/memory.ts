import { z } from 'zod'
import { intParam, readBody } from '../body.js'
import { ApiError } from '../errors.js'
import { toMemoryHit } from '../../memory/hit.js'
import type { OaNode } from '../../node/oa-node.js'
import type { StoredRecord } from '../../memory/types.js'
import type { SearchMode } from '../../memory/types.js'
import type { Replicator } from '../../memory/replication/replicator.js'
import type { MemoryCapture } from '../../memory/capture-service.js'
import type { Router } from '../router.js'

const input = z.strictObject({
  text: z.string(),
  kind: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  id: z.string().optional(),
  agent: z.string().optional()
})

const body = z.union([input, z.strictObject({ records: z.array(input).min(1).max(1000) })])

/** A record as the API shows it: no vector, no signature. */
export type RecordJson = Omit<StoredRecord, 'signature'>

export function recordJson (r: StoredRecord): RecordJson {
  return { id: r.id, community: r.community, kind: r.kind, agent: r.agent, origin: r.origin, seq: r.seq, text: r.text, metadata: r.metadata, createdAt: r.createdAt }
}

const MODES = new Set(['vector', 'text', 'hybrid'])

/**
 * Memory endpoints: add (one or a batch, which answers how many inputs were added,
 * updated or already held unchanged), search (hits in the shape of `MemoryHit`, as the
 * Agent API's `recall()` returns them), page through records (export), stats, delete.
 */
export function memoryRoutes (router: Router, node: OaNode): Router {
  const memory = node.libp2p.services.memory
  return router
    .post('/v1/communities/:c/memory', async ({ req, params }) => {
      const parsed = await readBody(req, body)
      if ('records' in parsed) {
        const result = await memory.rememberMany(params.c ?? '', parsed.records)
        return { records: result.records.map(recordJson), rejected: result.rejected, added: result.added, updated: result.updated, unchanged: result.unchanged }
      }
      return { record: recordJson(await memory.remember(params.c ?? '', parsed)) }
    }, 201)
    .get('/v1/communities/:c/memory/search', async ({ url, params }) => {
      const q = url.searchParams.get('q') ?? ''
      const mode = url.searchParams.get('mode') ?? 'hybrid'
      if (!MODES.has(mode)) throw new ApiError(400, 'bad_mode', `mode: expected vector, text or hybrid, got "${mode}"`)
      const kinds = url.searchParams.getAll('kind').flatMap(k => k.split(',')).map(k => k.trim()).filter(k => k !== '')
      const hits = await memory.recall(params.c ?? '', q, {
        mode: mode as SearchMode,
        k: intParam(url, 'k', 1, 100) ?? 5,
        kinds: kinds.length > 0 ? kinds : undefined,
        agent: url.searchParams.get('agent') ?? undefined,
        since: intParam(url, 'since', 0, Number.MAX_SAFE_INTEGER)
      })
      return { hits: hits.map(toMemoryHit) }
    })
    .get('/v1/communities/:c/memory/records', async ({ url, params }) => {
      const limit = intParam(url, 'limit', 1, 1000) ?? 500
      const records = await memory.page(params.c ?? '', url.searchParams.get('after') ?? undefined, limit)
      return { records: records.map(recordJson), next: records.length === limit ? records.at(-1)?.id : undefined }
    })
    .get('/v1/communities/:c/memory/stats', async ({ params }) => ({ community: params.c, ...await memory.stats(params.c ?? '') }))
    .get('/v1/memory', async () => {
      const communities: Record<string, unknown> = {}
      for (const c of node.communities) communities[c] = { ...await memory.stats(c), replication: await memory.replicaStatus(c) }
      return { ...memory.describe(), seq: memory.currentSeq, refused: memory.ownershipRefusals(), capture: node.service<MemoryCapture>('capture')?.status(), replication: node.service<Replicator>('replication')?.stats(), communities }
    })
    .get('/v1/communities/:c/memory/records/:id', async ({ url, params }) => {
      const records = await memory.get(params.c ?? '', [params.id ?? ''], { origin: url.searchParams.get('origin') ?? undefined })
      if (records.length === 0) throw new ApiError(404, 'not_found', `no record ${params.id ?? ''} in ${params.c ?? ''}`)
      return { records: records.map(recordJson) }
    })
    .delete('/v1/communities/:c/memory/:id', async ({ url, params }) => {
      const tombstone = await memory.delete(params.c ?? '', params.id ?? '', { origin: url.searchParams.get('origin') ?? undefined })
      return { deleted: 1, id: tombstone.id, origin: tombstone.origin, seq: tombstone.seq }
    })
}
