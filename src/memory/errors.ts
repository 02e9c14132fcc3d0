/** A record, query or filter that cannot be accepted; the message names the problem. */
export class MemoryInputError extends Error {
  override readonly name = 'MemoryInputError'
  readonly code: string
  constructor (code: string, message: string) {
    super(message)
    this.code = code
  }
}

/** The store on disk was made with another embedder or dimension. */
export class EmbedderMismatchError extends Error {
  override readonly name = 'EmbedderMismatchError'
}

/** The store cannot be opened or reached, or refused an operation (with the server's reason). */
export class MemoryStoreError extends Error {
  override readonly name = 'MemoryStoreError'
  /** The server's error code, when there is one. */
  readonly code?: string
  constructor (message: string, code?: string) {
    super(message)
    this.code = code
  }
}

/** The node has no memory service, or it is not running. */
export class MemoryUnavailableError extends Error {
  override readonly name = 'MemoryUnavailableError'
}
