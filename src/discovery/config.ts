import { z } from 'zod'
import type { NodeConfig } from '../config/schema.js'

/** The `discovery` section of the node config (every key optional, unknown keys refused). */
export const discoverySection = z.strictObject({
  cardTtlMs: z.number().int().min(1000).optional(),
  reprovideIntervalMs: z.number().int().min(10_000).optional(),
  lookupTimeoutMs: z.number().int().min(100).optional(),
  communityPeers: z.number().int().min(0).max(1000).optional(),
  communityPeersIntervalMs: z.number().int().min(1000).optional()
})

/** Defaults of the `discovery` section. */
export const DISCOVERY_DEFAULTS: NodeConfig['discovery'] = {
  cardTtlMs: 60_000,
  reprovideIntervalMs: 600_000,
  lookupTimeoutMs: 5_000,
  communityPeers: 12,
  communityPeersIntervalMs: 30_000
}
