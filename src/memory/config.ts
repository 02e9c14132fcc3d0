import { z } from 'zod'
import { DEFAULT_MODEL, DEFAULT_MODEL_DIR } from '../models/manifest.js'
import type { NodeConfig } from '../config/schema.js'

/** What the memory service records by itself: channel posts written on this node, direct exchanges it started. */
export const CAPTURE_KINDS = ['messages', 'directs'] as const

/** The `memory.milvus` keys of one layer. */
const milvusLayerSchema = z.strictObject({
  address: z.string().min(1).optional(),
  token: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  database: z.string().min(1).optional(),
  tls: z.boolean().optional(),
  collection: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,254}$/).optional(),
  numPartitions: z.number().int().min(1).max(4096).optional(),
  indexType: z.enum(['HNSW', 'IVF_FLAT', 'AUTOINDEX']).optional(),
  indexParams: z.record(z.string(), z.union([z.number(), z.string()])).optional(),
  searchParams: z.record(z.string(), z.union([z.number(), z.string()])).optional(),
  consistencyLevel: z.enum(['Strong', 'Session', 'Bounded', 'Eventually']).optional(),
  connectTimeoutMs: z.number().int().min(100).max(600_000).optional(),
  requestTimeoutMs: z.number().int().min(100).max(3_600_000).optional()
})

const onlyWith = (choice: string): z.ZodOptional<z.ZodUndefined> => z.undefined({ error: `only used with ${choice}` }).optional()

/** A key of the LanceDB store of release 0.1, which the embedded SQLite store has no use for. */
const removed = z.unknown().refine(() => false, { error: 'no longer used: the embedded store runs in the node\'s process, commits each write group at once and keeps its vector index up to date (remove the key)' }).optional()

/** `memory.milvus.*` where the store is not Milvus: each key named. */
const milvusUnused = z.strictObject(Object.fromEntries(Object.keys(milvusLayerSchema.shape).map(k => [k, onlyWith('memory.store: milvus')]))).optional()

/**
 * The memory keys that take effect, by `memory.store`: `memory.milvus` means nothing
 * with the embedded store, and the embedded store's group commit (`writeWindowMs`)
 * nothing with Milvus.
 */
export const memoryStoreChoiceSchema = z.discriminatedUnion('store', [
  z.looseObject({ store: z.literal('embedded'), milvus: milvusUnused }),
  z.looseObject({ store: z.literal('milvus'), writeWindowMs: onlyWith('memory.store: embedded') })
])

/** The memory keys that take effect, by `memory.embedder`: the model and dimensions are the OpenAI-compatible endpoint's. */
export const memoryEmbedderChoiceSchema = z.discriminatedUnion('embedder', [
  z.looseObject({ embedder: z.literal('auto'), embeddingModel: onlyWith('memory.embedder: openai'), embeddingDimensions: onlyWith('memory.embedder: openai') }),
  z.looseObject({ embedder: z.literal('neural'), embeddingModel: onlyWith('memory.embedder: openai'), embeddingDimensions: onlyWith('memory.embedder: openai') }),
  z.looseObject({ embedder: z.literal('lexical'), embeddingModel: onlyWith('memory.embedder: openai'), embeddingDimensions: onlyWith('memory.embedder: openai') }),
  // memory.model and memory.modelDir are harmless with the other embedders: OA_MODEL_DIR may be set for `models pull`
  z.looseObject({ embedder: z.literal('openai') })
])

/**
 * The memory keys set (in the layers given) that have no effect with the store and
 * embedder chosen, each as `memory.<key>: only used with ...`.
 *
 * @example
 * ```ts
 * memoryChoiceProblems({ milvus: { address: 'm:19530' } }, { store: 'embedded', embedder: 'auto' })
 * // ['memory.milvus.address: only used with memory.store: milvus']
 * ```
 */
export function memoryChoiceProblems (set: Record<string, unknown> | undefined, chosen: { store: string, embedder: string }): string[] {
  const problems: string[] = []
  for (const schema of [memoryStoreChoiceSchema, memoryEmbedderChoiceSchema]) {
    const result = schema.safeParse({ ...set, store: chosen.store, embedder: chosen.embedder })
    if (result.success) continue
    for (const issue of result.error.issues) problems.push(`memory.${issue.path.map(String).join('.')}: ${issue.message}`)
  }
  return problems
}

/** The `memory` section of the node config (every key optional, unknown keys refused). */
export const memorySection = z.strictObject({
  enabled: z.boolean().optional(),
  // `sqlite` is the embedded store's other name (it was chosen so when it was new)
  store: z.enum(['embedded', 'milvus', 'sqlite']).transform((s): 'embedded' | 'milvus' => s === 'sqlite' ? 'embedded' : s).optional(),
  // `local` is the lexical embedder's earlier name
  embedder: z.enum(['auto', 'neural', 'lexical', 'local', 'openai']).transform((e): 'auto' | 'neural' | 'lexical' | 'openai' => e === 'local' ? 'lexical' : e).optional(),
  model: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, { error: 'a model name: lowercase letters, digits, ".", "_" and "-" (see oa-node models list)' }).optional(),
  modelDir: z.string().min(1).optional(),
  embeddingModel: z.string().min(1).optional(),
  embeddingDimensions: z.number().int().min(1).max(65_536).optional(),
  maxTextBytes: z.number().int().min(16).max(1_048_576).optional(),
  writeWindowMs: z.number().int().min(0).max(10_000).optional(),
  // keys of the LanceDB store of release 0.1: named, so that a config of that release says what to do
  commitIntervalMs: removed,
  storeProcess: removed,
  storeRecycleRssMiB: removed,
  vectorIndexThreshold: removed,
  capture: z.record(z.string(), z.array(z.enum(CAPTURE_KINDS))).optional(),
  syncIntervalMs: z.number().int().min(1000).optional(),
  milvus: milvusLayerSchema.optional()
})

/** Defaults of the `memory` section. */
export const MEMORY_DEFAULTS: NodeConfig['memory'] = {
  enabled: true,
  store: 'embedded',
  embedder: 'auto',
  model: DEFAULT_MODEL,
  modelDir: DEFAULT_MODEL_DIR,
  embeddingModel: 'text-embedding-3-small',
  maxTextBytes: 32_768,
  writeWindowMs: 20,
  capture: { '*': ['messages', 'directs'] },
  syncIntervalMs: 30_000,
  milvus: {
    tls: false,
    collection: 'oa_memory',
    numPartitions: 64,
    indexType: 'HNSW',
    indexParams: { M: 16, efConstruction: 200 },
    searchParams: { ef: 64 },
    consistencyLevel: 'Bounded',
    connectTimeoutMs: 10_000,
    requestTimeoutMs: 30_000
  }
}
