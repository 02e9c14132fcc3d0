import { OaError } from '../../errors.js'

/** An external A2A agent cannot be added: its card cannot be fetched or is not an A2A card. */
export class A2ACardError extends OaError {
  override readonly name = 'A2ACardError'
  constructor (message: string, options: { cause?: unknown } = {}) {
    super('a2a_card', message, { status: 502, cause: options.cause })
  }
}

/** A request to an external A2A agent failed (unreachable, refused, or answered with an error). */
export class A2ARequestError extends OaError {
  override readonly name = 'A2ARequestError'
  constructor (message: string, options: { cause?: unknown } = {}) {
    super('a2a_request', message, { status: 502, cause: options.cause })
  }
}

/** The inbound gateway cannot listen (the port is taken, the address is not this machine's). */
export class A2AListenError extends OaError {
  override readonly name = 'A2AListenError'
  constructor (message: string, options: { cause?: unknown } = {}) {
    super('a2a_listen', message, { status: 500, cause: options.cause })
  }
}

/** `a2a.db` cannot be opened or is damaged. */
export class A2AStoreError extends OaError {
  override readonly name = 'A2AStoreError'
  constructor (message: string) {
    super('a2a_store', message, { status: 500 })
  }
}
