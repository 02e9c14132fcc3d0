import { multiaddr } from '@multiformats/multiaddr'
import { z } from 'zod'

/** Community names appear in gossipsub topics and DHT keys, so they are kept simple. */
export const COMMUNITY_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/

const multiaddrString = z.string().superRefine((value, ctx) => {
  try {
    multiaddr(value)
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `invalid multiaddr "${value}" (${(err as Error).message})` })
  }
})

const communityName = z.string().regex(COMMUNITY_NAME, {
  message: 'a community name is 1-63 characters of a-z, 0-9, "_" and "-", starting with a letter or digit'
})

const port = z.number().int().min(0).max(65535)

/** A rate: at most `points` requests in each window of `durationMs`. */
const rateLimit = z.strictObject({
  points: z.number().int().min(1).max(1_000_000),
  durationMs: z.number().int().min(100).max(86_400_000)
})

const channelName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, {
  message: 'a channel name is 1-64 characters of a-z, 0-9, "_" and "-", starting with a letter or digit'
})

/** Agent names: part of an agent's id (`<name>@<peer id>`). */
export const AGENT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/

const agentName = z.string().regex(AGENT_NAME, {
  message: 'an agent name is 1-64 characters of letters, digits, "_" and "-"'
})

/** Built-in agent types. */
export const AGENT_TYPES = ['expert', 'coordinator'] as const

export const agentConfigSchema = z.strictObject({
  name: agentName,
  /** A built-in type... */
  type: z.enum(AGENT_TYPES).optional(),
  /** ...or a module whose default export extends Agent (path relative to the config file). */
  module: z.string().min(1).optional(),
  community: communityName.optional(),
  capabilities: z.array(z.string().min(1).max(64)).max(64).optional(),
  description: z.string().max(2000).optional(),
  channels: z.array(channelName).optional(),
  /** System instructions for the language model. */
  instructions: z.string().max(20_000).optional(),
  /** Settings of the agent's type or module (checked by it). */
  options: z.record(z.string(), z.unknown()).optional()
}).superRefine((agent, ctx) => {
  if ((agent.type == null) === (agent.module == null)) {
    ctx.addIssue({ code: 'custom', message: 'set exactly one of "type" (expert, coordinator) or "module"' })
  }
})

export type AgentConfig = z.infer<typeof agentConfigSchema>

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

/** `memory.milvus.*` where the store is not Milvus: each key named. */
const milvusUnused = z.strictObject(Object.fromEntries(Object.keys(milvusLayerSchema.shape).map(k => [k, onlyWith('memory.store: milvus')]))).optional()

/**
 * The memory keys that take effect, by `memory.store`: the embedded store's own keys
 * (its process, its commits, its vector index) mean nothing with Milvus, and
 * `memory.milvus` means nothing with the embedded store.
 */
export const memoryStoreChoiceSchema = z.discriminatedUnion('store', [
  z.looseObject({ store: z.literal('embedded'), milvus: milvusUnused }),
  z.looseObject({
    store: z.literal('milvus'),
    storeProcess: onlyWith('memory.store: embedded'),
    storeRecycleRssMiB: onlyWith('memory.store: embedded'),
    vectorIndexThreshold: onlyWith('memory.store: embedded'),
    writeWindowMs: onlyWith('memory.store: embedded'),
    commitIntervalMs: onlyWith('memory.store: embedded')
  })
])

/** The memory keys that take effect, by `memory.embedder`: the model and dimensions are the OpenAI-compatible endpoint's. */
export const memoryEmbedderChoiceSchema = z.discriminatedUnion('embedder', [
  z.looseObject({ embedder: z.literal('local'), embeddingModel: onlyWith('memory.embedder: openai'), embeddingDimensions: onlyWith('memory.embedder: openai') }),
  z.looseObject({ embedder: z.literal('openai') })
])

/**
 * The memory keys set (in the layers given) that have no effect with the store and
 * embedder chosen, each as `memory.<key>: only used with ...`.
 *
 * @example
 * ```ts
 * memoryChoiceProblems({ milvus: { address: 'm:19530' } }, { store: 'embedded', embedder: 'local' })
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

export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const

/** How log lines look: `auto` is text on a terminal (stderr is a TTY), JSON lines otherwise. */
export const LOG_FORMATS = ['auto', 'text', 'json'] as const

/**
 * One layer of configuration (a YAML file, the environment, or flags). Every key is
 * optional; objects are strict so a typo is an error that names the key.
 */
export const configLayerSchema = z.strictObject({
  dataDir: z.string().min(1).optional(),
  network: z.strictObject({
    listen: z.array(multiaddrString).optional(),
    announce: z.array(multiaddrString).optional(),
    bootstrap: z.array(multiaddrString).optional(),
    mdns: z.boolean().optional(),
    maxConnections: z.number().int().min(1).optional(),
    inboundConnectionsPerSecond: z.number().int().min(1).optional(),
    dialTimeoutMs: z.number().int().min(100).optional()
  }).optional(),
  api: z.strictObject({
    port: port.optional()
  }).optional(),
  communities: z.array(communityName).optional(),
  channels: z.strictObject({
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
  }).optional(),
  agents: z.array(agentConfigSchema).optional(),
  discovery: z.strictObject({
    cardTtlMs: z.number().int().min(1000).optional(),
    reprovideIntervalMs: z.number().int().min(10_000).optional(),
    lookupTimeoutMs: z.number().int().min(100).optional(),
    communityPeers: z.number().int().min(0).max(1000).optional(),
    communityPeersIntervalMs: z.number().int().min(1000).optional()
  }).optional(),
  memory: z.strictObject({
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
    milvus: milvusLayerSchema.optional()
  }).optional(),
  llm: z.strictObject({
    baseUrl: z.url().optional(),
    apiKey: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    timeoutMs: z.number().int().min(1000).optional(),
    connectTimeoutMs: z.number().int().min(100).max(600_000).optional(),
    maxRetries: z.number().int().min(0).max(10).optional()
  }).optional(),
  log: z.strictObject({
    level: z.enum(LOG_LEVELS).optional(),
    format: z.enum(LOG_FORMATS).optional()
  }).optional(),
  limits: z.strictObject({
    direct: z.strictObject({
      perPeer: rateLimit.optional(),
      perAgent: rateLimit.optional()
    }).optional(),
    streams: z.strictObject({
      perProtocol: z.number().int().min(1).max(100_000).optional(),
      perPeer: z.number().int().min(1).max(100_000).optional()
    }).optional(),
    providers: z.strictObject({
      perPeer: z.number().int().min(1).optional(),
      perKey: z.number().int().min(1).optional(),
      total: z.number().int().min(1).optional()
    }).optional(),
    cards: z.strictObject({
      perPeer: z.number().int().min(1).max(10_000).optional()
    }).optional()
  }).optional()
})

export type ConfigLayer = z.infer<typeof configLayerSchema>

/** The complete, validated node configuration. */
export interface NodeConfig {
  /** Where the identity key, API files and stores live. */
  dataDir: string
  network: {
    /** Multiaddrs to listen on (TCP and WebSockets by default). */
    listen: string[]
    /** Multiaddrs to announce instead of the listen addresses (empty: announce what we listen on). */
    announce: string[]
    /** Peers to join through: full multiaddrs ending in `/p2p/<peer id>`. */
    bootstrap: string[]
    /** Discover peers on the local network with mDNS. */
    mdns: boolean
    maxConnections: number
    /** New inbound connections accepted per second from one host (local clusters come from one address). */
    inboundConnectionsPerSecond: number
    dialTimeoutMs: number
  }
  api: {
    /** Port of the local control API on 127.0.0.1 (0 = any free port). */
    port: number
  }
  /** Communities this node joins. */
  communities: string[]
  channels: {
    /** Channels to open per community at start; `general` is always open. */
    declared: Record<string, string[]>
    /** Open a channel of a joined community when a peer opens it (channels are created on demand). */
    followPeers: boolean
    /** Largest encoded envelope accepted or sent, in bytes. */
    maxMessageBytes: number
    /** Longest message text, in UTF-8 bytes. */
    maxTextBytes: number
    /** Largest clock difference accepted on live messages, in ms. */
    maxClockSkewMs: number
    /** Default time a direct request waits for its response, in ms. */
    directTimeoutMs: number
    history: {
      /** Newest messages kept per channel. */
      maxMessagesPerChannel: number
      /** Oldest message kept, in days. */
      maxAgeDays: number
      /** Messages asked from a peer per channel when backfilling. */
      backfillLimit: number
    }
  }
  /** Agents this node hosts. */
  agents: AgentConfig[]
  discovery: {
    /** How long a fetched agent card is trusted before it is fetched again, in ms. */
    cardTtlMs: number
    /** How often DHT provider records are re-announced, in ms. */
    reprovideIntervalMs: number
    /** Longest a capability lookup waits for DHT providers, in ms. */
    lookupTimeoutMs: number
    /** Members of each community the node keeps connections to, when that many exist (0: only the DHT's own peers). */
    communityPeers: number
    /** How often the node checks its community connections and dials more members below the target, in ms. */
    communityPeersIntervalMs: number
  }
  memory: {
    /** Run the memory service (default true). */
    enabled: boolean
    /** `embedded` (LanceDB in `<dataDir>/memory`) or `milvus` (shared server). */
    store: 'embedded' | 'milvus'
    /** `local` (offline) or `openai` (the llm endpoint's embeddings). */
    embedder: 'local' | 'openai'
    /** OPENAI_EMBEDDING_MODEL */
    embeddingModel: string
    embeddingDimensions?: number
    /** Longest record text, in UTF-8 bytes. */
    maxTextBytes: number
    /** Writes arriving within this window share one commit. */
    writeWindowMs: number
    /** Least time between two commits of the embedded store: under sustained writes, commits are batched up to this. */
    commitIntervalMs: number
    /** Run the embedded store in a child process of the node, replaced when its memory passes `storeRecycleRssMiB` (default true). */
    storeProcess: boolean
    /** Resident memory of the store process, in MiB, past which it is replaced by a fresh one. */
    storeRecycleRssMiB: number
    /** Records from which the embedded store builds a vector index (exact search below). */
    vectorIndexThreshold: number
    /** What is captured automatically, per community (`*` for the others). */
    capture: Record<string, Array<typeof CAPTURE_KINDS[number]>>
    /** How often a random community peer is asked for missing records (anti-entropy), in ms. */
    syncIntervalMs: number
    milvus: {
      /** MILVUS_ADDRESS, host:port */
      address?: string
      /** MILVUS_TOKEN */
      token?: string
      username?: string
      password?: string
      database?: string
      tls: boolean
      collection: string
      numPartitions: number
      indexType: 'HNSW' | 'IVF_FLAT' | 'AUTOINDEX'
      indexParams: Record<string, number | string>
      searchParams: Record<string, number | string>
      consistencyLevel: 'Strong' | 'Session' | 'Bounded' | 'Eventually'
      /** Time each call may take while the store opens (connecting, checking the collection); a server that does not answer fails the start after it. */
      connectTimeoutMs: number
      /** Time each call may take once the store is open (searches, writes, reads). */
      requestTimeoutMs: number
    }
  }
  llm: {
    /** OpenAI-compatible endpoint (OPENAI_BASE_URL). Without it and without apiKey, agents run offline. */
    baseUrl?: string
    /** OPENAI_API_KEY */
    apiKey?: string
    /** OPENAI_MODEL */
    model: string
    timeoutMs: number
    /** Time the embeddings endpoint (embedder: openai) has at start to give its first answer, retries included. */
    connectTimeoutMs: number
    /** Retries on 429 and 5xx answers and on connection errors, with backoff. */
    maxRetries: number
  }
  log: {
    level: typeof LOG_LEVELS[number]
    /** `auto` (text on a terminal, JSON lines otherwise), `text` or `json`. */
    format: typeof LOG_FORMATS[number]
  }
  /** What one peer can make this node do. */
  limits: LimitSettings
}

/** A rate: at most `points` requests in each window of `durationMs`. */
export interface RateLimitSetting {
  points: number
  durationMs: number
}

/** The `limits` section of the node config. */
export interface LimitSettings {
  direct: {
    /** Direct requests one peer may send to this node's agents. */
    perPeer: RateLimitSetting
    /** Direct requests one agent of this node answers, from all peers together. */
    perAgent: RateLimitSetting
  }
  streams: {
    /** Inbound streams open at once per oa protocol, over all connections. */
    perProtocol: number
    /** Of those, how many one peer may hold (over all its connections). */
    perPeer: number
  }
  providers: {
    /** DHT keys one remote peer may be a provider of in this node's provider store. */
    perPeer: number
    /** Providers stored per DHT key (a community, or one capability of a community). */
    perKey: number
    /** Provider records of remote peers stored in all. */
    total: number
  }
  cards: {
    /** Agent cards accepted from one peer; a peer that serves more is refused. */
    perPeer: number
  }
}

export const DEFAULT_TCP_PORT = 7700
export const DEFAULT_WS_PORT = 7701
export const DEFAULT_API_PORT = 7780

/** Defaults, before any file, environment variable or flag. `dataDir` is filled in by the loader. */
export const DEFAULTS: Omit<NodeConfig, 'dataDir'> = {
  network: {
    listen: [`/ip4/0.0.0.0/tcp/${DEFAULT_TCP_PORT}`, `/ip4/0.0.0.0/tcp/${DEFAULT_WS_PORT}/ws`],
    announce: [],
    bootstrap: [],
    mdns: false,
    maxConnections: 300,
    inboundConnectionsPerSecond: 25,
    dialTimeoutMs: 10_000
  },
  api: {
    port: DEFAULT_API_PORT
  },
  communities: [],
  channels: {
    declared: {},
    followPeers: true,
    maxMessageBytes: 65_536,
    maxTextBytes: 32_768,
    maxClockSkewMs: 300_000,
    directTimeoutMs: 30_000,
    history: {
      maxMessagesPerChannel: 10_000,
      maxAgeDays: 30,
      backfillLimit: 200
    }
  },
  agents: [],
  discovery: {
    cardTtlMs: 60_000,
    reprovideIntervalMs: 600_000,
    lookupTimeoutMs: 5_000,
    communityPeers: 12,
    communityPeersIntervalMs: 30_000
  },
  memory: {
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
  },
  llm: {
    model: 'gpt-4o-mini',
    timeoutMs: 60_000,
    connectTimeoutMs: 15_000,
    maxRetries: 2
  },
  log: {
    level: 'warn',
    format: 'auto'
  },
  limits: {
    direct: {
      perPeer: { points: 30, durationMs: 10_000 },
      perAgent: { points: 60, durationMs: 10_000 }
    },
    streams: {
      perProtocol: 128,
      perPeer: 16
    },
    providers: {
      perPeer: 256,
      perKey: 256,
      total: 65_536
    },
    cards: {
      perPeer: 64
    }
  }
}
