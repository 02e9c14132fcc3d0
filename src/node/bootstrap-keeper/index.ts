/**
 * Bootstrap peer discovery: joins the network through the configured bootstrap peers
 * and keeps it joined.
 *
 * It dials the bootstrap peers once the node listens (libp2p's `start` event), and
 * again, with exponential backoff, whenever the node has no connection at all (the
 * bootstrap peer was down at start, or every peer went away). After each failed round
 * it emits `unreachable`, so the operator sees a warning. It is idle while the node
 * has any connection.
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
