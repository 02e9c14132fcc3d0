/** An API request that cannot be served: carries the HTTP status and a message naming the problem. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly status: number
  readonly code: string
  /** More about the error, sent in the answer's `error` object (the candidates of an ambiguous name). */
  readonly details?: Record<string, unknown>

  constructor (status: number, code: string, message: string, details?: Record<string, unknown>) {
    super(message)
    this.status = status
    this.code = code
    this.details = details
  }
}

/** No node is running for a data dir (no api.json, or its process is gone). */
export class NodeNotRunningError extends Error {
  override readonly name = 'NodeNotRunningError'
}
