import { z } from 'zod'
import { channelName, communityName } from '../config/names.js'
import type { NodeConfig } from '../config/schema.js'

/** The `channels` section of the node config (every key optional, unknown keys refused). */
export const channelsSection = z.strictObject({
  declared: z.record(communityName, z.array(channelName)).optional(),
  followPeers: z.boolean().optional(),
  maxMessageBytes: z.number().int().min(1024).max(1_048_576).optional(),
  maxTextBytes: z.number().int().min(1).max(1_000_000).optional(),
  maxClockSkewMs: z.number().int().min(1000).optional(),
  directTimeoutMs: z.number().int().min(100).optional(),
  history: z.strictObject({
    maxMessagesPerChannel: z.number().int().min(1).optional(),
    maxAgeDays: z.number().positive().optional(),
    backfillLimit: z.number().int().min(0).max(1000).optional()
  }).optional()
})

/** Defaults of the `channels` section. */
export const CHANNELS_DEFAULTS: NodeConfig['channels'] = {
  declared: {},
  followPeers: true,
  maxMessageBytes: 589_824,
  maxTextBytes: 32_768,
  maxClockSkewMs: 300_000,
  directTimeoutMs: 30_000,
  history: {
    maxMessagesPerChannel: 10_000,
    maxAgeDays: 30,
    backfillLimit: 200
  }
}
