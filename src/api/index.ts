/**
 * The local control API: HTTP on 127.0.0.1 with a bearer token, and the client the
 * CLI uses to reach a running node through its data dir.
 *
 * @example
 * ```ts
 * import { ApiClient } from 'oa-node'
 * const api = await ApiClient.fromDataDir('./n1')
 * console.log(await api.get('/v1/status'))
 * ```
 */
export { ApiServer, buildRoutes, API_HOST } from './server.js'
export { serveApi } from './serve.js'
export type { ServedApi } from './serve.js'
export type { ApiServerInit, StatusAnswer } from './server.js'
export { EVENTS_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from './auth.js'
export { DEFAULT_API_TIMEOUTS } from './timeouts.js'
export type { ApiTimeouts } from './timeouts.js'
export type { ApiRejectionCounts } from './rejections.js'
export { ApiClient, ApiRequestError } from './client.js'
export { ApiError, NodeNotRunningError } from './errors.js'
export { Router } from './router.js'
export type { Handler, RequestContext } from './router.js'
export { readApiInfo, writeApiInfo, removeApiInfo, loadOrCreateToken, readToken, API_INFO_FILE, API_TOKEN_FILE } from './files.js'
export type { ApiInfo } from './files.js'
