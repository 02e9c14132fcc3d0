import { INPUT_STATUS, OaError } from '../errors.js'

/** A record, query or filter that cannot be accepted; the message names the problem. */
export class MemoryInputError extends OaError {
  override readonly name = 'MemoryInputError'
  constructor (code: string, message: string) {
    super(code, message, { status: INPUT_STATUS[code] ?? 400 })
  }
}

/** The store on disk was made with another embedder or dimension. */
export class EmbedderMismatchError extends OaError {
  override readonly name = 'EmbedderMismatchError'
  constructor (message: string) {
    super('embedder_mismatch', message, { status: 500 })
  }
}

/** The embedding model cannot be loaded or run; the message names the model and the file. */
export class EmbedderError extends OaError {
  override readonly name = 'EmbedderError'
  constructor (message: string) {
    super('embedder', message, { status: 500 })
  }
}

/** The store cannot be opened or reached, or refused an operation (with the server's reason). */
export class MemoryStoreError extends OaError {
  override readonly name = 'MemoryStoreError'
  /** The server's error code, when there is one. */
  readonly storeCode?: string
  constructor (message: string, storeCode?: string) {
    super('memory_store', message, { status: 502 })
    if (storeCode != null) this.storeCode = storeCode
  }
}

/** The node has no memory service, or it is not running. */
export class MemoryUnavailableError extends OaError {
  override readonly name = 'MemoryUnavailableError'
  constructor (message: string) {
    super('memory_unavailable', message, { status: 503 })
  }
}
