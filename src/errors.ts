/** Marks oa-node errors across copies of the package (a mod may import another copy). */
export const OA_ERROR = Symbol.for('oa-node/error')

/** What an `OaError` carries besides its message. */
export interface OaErrorOptions {
  /** The HTTP status the control API answers with (default 400). */
  status?: number
  /** More about the error, sent in the API answer's `error` object. */
  details?: Record<string, unknown>
  cause?: unknown
}

/**
 * The one error shape of oa-node and its mods: a `code` naming the problem (`not_member`,
 * `bad_vote`, ...), the HTTP `status` the control API answers with, and optional
 * `details`. The API maps any OaError, from any mod, without knowing its class; every
 * service error class extends it.
 *
 * @example
 * ```ts
 * import { OaError } from 'oa-node'
 * throw new OaError('poll_closed', `poll ${id} is closed`, { status: 409 })
 * ```
 */
export class OaError extends Error {
  override readonly name: string = 'OaError'
  readonly [OA_ERROR] = true
  readonly code: string
  readonly status: number
  readonly details?: Record<string, unknown>

  constructor (code: string, message: string, options: OaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.status = options.status ?? 400
    if (options.details != null) this.details = options.details
  }
}

/** The fields of an OaError that the API reads (also from another copy of oa-node). */
export interface OaErrorLike {
  code: string
  status: number
  message: string
  details?: Record<string, unknown>
}

/**
 * True for an OaError of this or another copy of oa-node.
 *
 * @example
 * ```ts
 * if (isOaError(err)) console.log(err.status, err.code)
 * ```
 */
export function isOaError (err: unknown): err is OaErrorLike {
  if (err == null || typeof err !== 'object' || (err as Record<symbol, unknown>)[OA_ERROR] !== true) return false
  const e = err as Partial<OaErrorLike>
  return typeof e.code === 'string' && typeof e.status === 'number' && typeof e.message === 'string'
}

/** HTTP statuses of the input errors of the node's services, by code; the others are 400. */
export const INPUT_STATUS: Readonly<Record<string, number>> = {
  not_member: 404,
  not_found: 404,
  not_owner: 403,
  too_large: 413,
  text_too_long: 413,
  read_only: 403,
  not_admin: 403
}
