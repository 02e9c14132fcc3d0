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
  override readonly name: string = 'RejectedError'
}

/**
 * The target node refused the request by one of its limits: a rate (`rate limited: 10
 * requests per 10 s per peer; retry in 3 s`) or its streams (`busy: ...`). The message
 * is the target's own.
 */
export class LimitedError extends RejectedError {
  override readonly name = 'LimitedError'
  /** `rate` for a request rate, `streams` for too many open streams. */
  readonly limit: 'rate' | 'streams'
  /** When the target said to try again, in ms. */
  readonly retryInMs?: number

  constructor (message: string) {
    super(message)
    this.limit = message.startsWith('busy:') ? 'streams' : 'rate'
    const retry = /retry in (\d+) s/.exec(message)?.[1]
    if (retry != null) this.retryInMs = Number(retry) * 1000
  }

  /** Whether a REJECTED response's error is a limit's refusal. */
  static matches (error: string): boolean {
    return error.startsWith('rate limited:') || error.startsWith('busy:')
  }
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
