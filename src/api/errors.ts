import { OaError } from '../errors.js'

/** An API request that cannot be served: carries the HTTP status and a message naming the problem. */
export class ApiError extends OaError {
  override readonly name: string = 'ApiError'

  constructor (status: number, code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, { status, ...(details == null ? {} : { details }) })
  }
}

/** No node is running for a data dir (no api.json, or its process is gone). */
export class NodeNotRunningError extends Error {
  override readonly name = 'NodeNotRunningError'
}
