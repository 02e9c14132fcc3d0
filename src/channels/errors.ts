/** Base of the direct-message errors, so callers can catch them together. */
export class DirectError extends Error {
  override readonly name: string = 'DirectError'
}

/** The target agent's node could not be reached (no address, dial failed). */
export class UnreachableError extends DirectError {
  override readonly name = 'UnreachableError'
}

/** No response arrived in time. */
export class DirectTimeoutError extends DirectError {
  override readonly name = 'DirectTimeoutError'
}

/** The target node refused the request (invalid, or the agent's handler failed). */
export class RejectedError extends DirectError {
  override readonly name = 'RejectedError'
}

/** The target node runs no agent of that name. */
export class NoSuchAgentError extends DirectError {
  override readonly name = 'NoSuchAgentError'
}

/** A request to the channels service that cannot be carried out (bad name, not a member, text too long). */
export class ChannelInputError extends Error {
  override readonly name = 'ChannelInputError'
  /** `not_member`, `bad_channel`, `bad_text`, `not_found`, ... */
  readonly code: string

  constructor (code: string, message: string) {
    super(message)
    this.code = code
  }
}
