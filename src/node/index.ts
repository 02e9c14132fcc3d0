/**
 * The node: libp2p composed with oa-node's services, the identity keystore and the
 * node's lifecycle.
 *
 * @example
 * ```ts
 * import { createNode, loadConfig } from 'oa-node'
 * const node = await createNode(await loadConfig({ flags: { dataDir: './n1', communities: ['devsupport'] } }))
 * await node.start()
 * console.log(node.status())
 * await node.stop()
 * ```
 */
export { createNode } from './create-node.js'
export type { CreateNodeOptions, OaLibp2p } from './create-node.js'
export { OaNode } from './oa-node.js'
export type { NodeStatus, PeerInfoView, OaNodeEvents, OaNodeInit } from './oa-node.js'
export { loadOrCreateIdentity, readIdentity, readPeerId, identityPath, IDENTITY_FILE } from './identity.js'
export { ensureDataDir, lockDataDir, lockHolder, isProcessAlive } from './data-dir.js'
export { checkDataDir } from './check-data-dir.js'
export type { DataDirCheck } from './check-data-dir.js'
export type { DataDirLock } from './data-dir.js'
export { IdentityError, DataDirError, ListenError, PeerInputError, PeerUnreachableError } from './errors.js'
export { DHT_PROTOCOL } from './constants.js'
