import { dottedPath, validateLayer } from '../config/load.js'
import type { ConfigLayer } from '../config/schema.js'

/** Commander collector for repeatable options (`--listen a --listen b`). */
export function collect (value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}

/** The node options every node-starting command shares. */
export interface NodeFlags {
  config?: string
  dataDir?: string
  listen?: string[]
  announce?: string[]
  bootstrap?: string[]
  mdns?: boolean
  swarmKey?: string
  upnp?: boolean
  relay?: boolean
  apiPort?: number
  a2aPort?: number
  a2aHost?: string
  community?: string[]
  memory?: string
  embedder?: string
  modelDir?: string
  logLevel?: string
  logFormat?: string
  verbose?: boolean
}

/** Which flag sets which config key: errors name the flag the user typed. */
const FLAG_FOR_PATH: Record<string, string> = {
  dataDir: '--data-dir',
  'network.listen': '--listen',
  'network.announce': '--announce',
  'network.bootstrap': '--bootstrap',
  'network.mdns': '--mdns',
  'network.swarmKey': '--swarm-key',
  'network.upnp': '--upnp',
  'network.relay.serve': '--relay',
  'api.port': '--api-port',
  'a2a.port': '--a2a-port',
  'a2a.host': '--a2a-host',
  communities: '--community',
  'log.level': '--log-level',
  'log.format': '--log-format',
  'memory.store': '--memory',
  'memory.embedder': '--embedder',
  'memory.modelDir': '--model-dir'
}

/**
 * Turns parsed flags into a validated config layer.
 *
 * @example
 * ```ts
 * flagsToLayer({ listen: ['nope'] })
 * // throws ConfigError: --listen: invalid multiaddr "nope" (...)
 * ```
 */
export function flagsToLayer (flags: NodeFlags): ConfigLayer {
  const raw: Record<string, unknown> = {}
  const network: Record<string, unknown> = {}
  if (flags.dataDir != null) raw.dataDir = flags.dataDir
  if (flags.listen != null) network.listen = flags.listen
  if (flags.announce != null) network.announce = flags.announce
  if (flags.bootstrap != null) network.bootstrap = flags.bootstrap
  if (flags.mdns === true) network.mdns = true
  if (flags.swarmKey != null) network.swarmKey = flags.swarmKey
  if (flags.upnp === true) network.upnp = true
  if (flags.relay === true) network.relay = { serve: true }
  if (Object.keys(network).length > 0) raw.network = network
  if (flags.apiPort != null) raw.api = { port: flags.apiPort }
  if (flags.a2aPort != null || flags.a2aHost != null) raw.a2a = { ...(flags.a2aPort == null ? {} : { port: flags.a2aPort }), ...(flags.a2aHost == null ? {} : { host: flags.a2aHost }) }
  if (flags.community != null) raw.communities = flags.community
  if (flags.logLevel != null || flags.logFormat != null) raw.log = { ...(flags.logLevel == null ? {} : { level: flags.logLevel }), ...(flags.logFormat == null ? {} : { format: flags.logFormat }) }
  if (flags.memory != null || flags.embedder != null || flags.modelDir != null) {
    raw.memory = { ...(flags.memory == null ? {} : { store: flags.memory }), ...(flags.embedder == null ? {} : { embedder: flags.embedder }), ...(flags.modelDir == null ? {} : { modelDir: flags.modelDir }) }
  }
  return validateLayer(raw, path => {
    const key = path.filter(p => typeof p === 'string').join('.')
    const flag = FLAG_FOR_PATH[key]
    return flag ?? dottedPath(path)
  })
}
