import { isOaError } from '../errors.js'
import { ApiError } from './errors.js'

/**
 * Maps an error onto an HTTP answer: any OaError (of the node or of a mod) answers with
 * its own status, code and details; undefined for unexpected errors (500).
 */
export function toApiError (err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err
  if (isOaError(err)) return new ApiError(err.status, err.code, err.message, err.details)
  return undefined
}
