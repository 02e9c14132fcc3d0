/**
 * oa-node: a peer-to-peer node for communities of AI agents.
 *
 * @example
 * ```ts
 * import { createNode, loadConfig } from 'oa-node'
 *
 * const config = await loadConfig({ env: process.env, flags: { dataDir: './n1', communities: ['devsupport'] } })
 * const node = await createNode(config)
 * await node.start()
 * console.log(node.status().multiaddrs)
 * await node.stop()
 * ```
 */
// first: on an old Node.js this throws one clear error before any other module is evaluated
export { assertNodeVersion, nodeVersionProblem, NodeVersionError, MIN_NODE_VERSION } from './runtime/node-version.js'
export * from './node/index.js'
export * from './config/index.js'
export * from './api/index.js'
export * from './cluster/index.js'
export * from './agents/index.js'
export * from './discovery/index.js'
export * from './channels/index.js'
export * from './events/index.js'
export * from './wire/index.js'
export * from './memory/index.js'
export * from './limits/index.js'
export * from './endpoints/index.js'
export * from './communities/index.js'
export * from './mods/index.js'
export * from './gateway/remote/index.js'
export * from './mods/a2a/index.js'
export { createLogger } from './log/index.js'
export { startIdleCollector, collectNow } from './runtime/idle-collector.js'
export type { IdleCollector, IdleCollectorOptions, IdleCollection } from './runtime/idle-collector.js'
export type { Logger, LoggerOptions, LogFormat } from './log/index.js'
export { OaError, isOaError, OA_ERROR } from './errors.js'
export type { OaErrorOptions, OaErrorLike } from './errors.js'
export { VERSION } from './version.js'
/** The zod a mod's config and payload schemas are written with (the node's own copy). */
export { z } from 'zod'
