import type { EndpointHealth } from '../../endpoints/health.js'
import type { EndpointKind } from '../../endpoints/errors.js'
import type { NodeConfig } from '../../config/schema.js'
import type { Embedder } from '../embedders/types.js'
import type { MemoryStore } from '../types.js'

/** What a store adapter is given to open its store. */
export interface StoreOpenContext {
  /** The node's memory folder, `<dataDir>/memory`. */
  dir: string
  settings: NodeConfig['memory']
  embedder: Embedder
  /** The health of an external endpoint the store calls: its outages become the memory service's events. */
  watch: (endpoint: EndpointKind, address: string) => EndpointHealth
  /** Says what opening does that the user should know of (a data dir moved to a new format). */
  log?: (format: string, ...args: unknown[]) => void
  /** The embedder runs in the process: a store made with another embedder may be re-embedded with it rather than refused. */
  reembed?: boolean
  /** A line for the user (a re-embedding and its progress), shown at start. */
  notice?: (message: string) => void
}

/**
 * One kind of memory store, registered by name (`memory.store`): how to open it from the
 * node's config, and whether each node keeps its own copy that replication keeps in step
 * (`replicated: true`) or the store is shared by the nodes and only notices travel.
 *
 * @example
 * ```ts
 * const adapter: StoreAdapter = { name: 'mine', replicated: true, open: async ({ embedder }) => MyStore.open(embedder.dimension) }
 * ```
 */
export interface StoreAdapter {
  readonly name: string
  readonly replicated: boolean
  open: (ctx: StoreOpenContext) => Promise<MemoryStore>
}
