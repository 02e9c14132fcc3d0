/**
 * Keeps a node joined to the network through its bootstrap peers.
 *
 * `@libp2p/bootstrap` dials the configured peers once at start. This service covers
 * the rest: whenever the node has no connection at all (the bootstrap peer was down
 * at start, or every peer went away), it dials the bootstrap peers again with
 * exponential backoff and emits `unreachable` after each failed round so the
 * operator sees a warning. It is idle while the node has any connection.
 *
 * @example
 * ```ts
 * createLibp2p({ services: { bootstrapKeeper: bootstrapKeeper({ list: ['/ip4/127.0.0.1/tcp/7700/p2p/12D3KooW...'] }) } })
 * node.services.bootstrapKeeper.addEventListener('unreachable', (evt) => console.warn(evt.detail.message))
 * ```
 */
import { BootstrapKeeper } from './bootstrap-keeper.js'
import type { BootstrapKeeperComponents, BootstrapKeeperInit } from './bootstrap-keeper.js'

export { BootstrapKeeper }
export type { BootstrapKeeperComponents, BootstrapKeeperInit, BootstrapKeeperEvents, UnreachableDetail } from './bootstrap-keeper.js'

export function bootstrapKeeper (init: BootstrapKeeperInit): (components: BootstrapKeeperComponents) => BootstrapKeeper {
  return (components) => new BootstrapKeeper(components, init)
}
