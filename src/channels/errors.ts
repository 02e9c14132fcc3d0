import { INPUT_STATUS, OaError } from '../errors.js'

/** Base of the direct-message errors, so callers can catch them together. */
export class DirectError extends OaError {
  override readonly name: string = 'DirectError'
}

/** The target agent's node could not be reached (no address, dial failed). */
export class UnreachableError extends DirectError {
  override readonly name = 'UnreachableError'
  constructor (message: string) {
    super('unreachable', message, { status: 502 })
  }
}

/** No response arrived in time. */
export class DirectTimeoutError extends DirectError {
  override readonly name = 'DirectTimeoutError'
  constructor (message: string) {
    super('timeout', message, { status: 504 })
  }
}

/** The target node refused the request (invalid, or the agent's handler failed). */
export class RejectedError extends DirectError {
  override readonly name: string = 'RejectedError'
  constructor (message: string, code = 'rejected', status = 502, details?: Record<string, unknown>) {
    super(code, message, { status, ...(details == null ? {} : { details }) })
  }
}

function retryOf (message: string): number | undefined {
  const retry = /retry in (\d+) s/.exec(message)?.[1]
  return retry == null ? undefined : Number(retry) * 1000
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
    const limit = message.startsWith('busy:') ? 'streams' : 'rate'
    const retryInMs = retryOf(message)
    super(message, limit === 'rate' ? 'rate_limited' : 'busy', limit === 'rate' ? 429 : 503, retryInMs == null ? undefined : { retryInMs })
    this.limit = limit
    if (retryInMs != null) this.retryInMs = retryInMs
  }

  /** Whether a REJECTED response's error is a limit's refusal. */
  static matches (error: string): boolean {
    return error.startsWith('rate limited:') || error.startsWith('busy:')
  }
}

/** The target node runs no agent of that name. */
export class NoSuchAgentError extends DirectError {
  override readonly name = 'NoSuchAgentError'
  constructor (message: string) {
    super('no_such_agent', message, { status: 404 })
  }
}

/** A request to the channels service that cannot be carried out (bad name, not a member, text too long). */
export class ChannelInputError extends OaError {
  override readonly name = 'ChannelInputError'

  /** `code`: `not_member`, `bad_channel`, `bad_text`, `not_found`, ... */
  constructor (code: string, message: string) {
    super(code, message, { status: INPUT_STATUS[code] ?? 400 })
  }
}
