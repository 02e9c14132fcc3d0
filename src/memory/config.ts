import { z } from 'zod'
import type { NodeConfig } from '../config/schema.js'

/** What the memory service records by itself: channel posts written on this node, direct exchanges it started. */
export const CAPTURE_KINDS = ['messages', 'directs'] as const

/** The `memory` section of the node config (every key optional, unknown keys refused). */
export const memorySection = z.strictObject({
  enabled: z.boolean().optional(),
  store: z.enum(['embedded', 'milvus']).optional(),
  embedder: z.enum(['local', 'openai']).optional(),
  embeddingModel: z.string().min(1).optional(),
  embeddingDimensions: z.number().int().min(1).max(65_536).optional(),
  maxTextBytes: z.number().int().min(16).max(1_048_576).optional(),
  writeWindowMs: z.number().int().min(0).max(10_000).optional(),
  commitIntervalMs: z.number().int().min(0).max(60_000).optional(),
  storeProcess: z.boolean().optional(),
  storeRecycleRssMiB: z.number().int().min(64).optional(),
  vectorIndexThreshold: z.number().int().min(256).optional(),
  capture: z.record(z.string(), z.array(z.enum(CAPTURE_KINDS))).optional(),
  syncIntervalMs: z.number().int().min(1000).optional(),
  milvus: z.strictObject({
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
  }).optional()
})

/** Defaults of the `memory` section. */
export const MEMORY_DEFAULTS: NodeConfig['memory'] = {
  enabled: true,
  store: 'embedded',
  embedder: 'local',
  embeddingModel: 'text-embedding-3-small',
  maxTextBytes: 32_768,
  writeWindowMs: 20,
  commitIntervalMs: 500,
  storeProcess: true,
  storeRecycleRssMiB: 512,
  vectorIndexThreshold: 10_000,
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
