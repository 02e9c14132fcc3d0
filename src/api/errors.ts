/** An API request that cannot be served: carries the HTTP status and a message naming the problem. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly status: number
  readonly code: string

  constructor (status: number, code: string, message: string) {
    super(message)
    this.status = status
    this.code = code
  }
}

/** No node is running for a data dir (no api.json, or its process is gone). */
export class NodeNotRunningError extends Error {
  override readonly name = 'NodeNotRunningError'
}
