import { networkCause } from './network-cause.js'
import { openAiSdk } from './openai-sdk.js'

/** What went wrong with a call to an OpenAI-compatible endpoint. */
export interface OpenAiFailure {
  /**
   * `unreachable` (no answer: refused, not found, timed out), `credentials` (401, 403),
   * `not_found` (404: the model or the path), `busy` (429), `server` (5xx), `garbage` (an answer
   * that is not what the API returns), `refused` (another 4xx: this request only), `aborted`
   * (the caller's signal).
   */
  kind: 'unreachable' | 'credentials' | 'not_found' | 'busy' | 'server' | 'garbage' | 'refused' | 'aborted'
  /** Short, for a message: `connection refused`, `HTTP 401: Incorrect API key provided`. */
  reason: string
  /** Something answered (the endpoint is reachable). */
  answered: boolean
}

function firstLine (text: string, max = 200): string {
  const line = text.split('\n')[0]?.trim() ?? ''
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}

/**
 * Classifies an error of the `openai` client (the embedder's and the language model's),
 * with `timeoutMs` the time each request was allowed. Asynchronous because the `openai`
 * package is imported on first use (it is already loaded when its client threw).
 *
 * @example
 * ```ts
 * await client.embeddings.create({ model, input }).catch(async err => await openAiFailure(err, 60_000))
 * // { kind: 'unreachable', reason: 'connection refused', answered: false }
 * ```
 */
export async function openAiFailure (err: unknown, timeoutMs: number): Promise<OpenAiFailure> {
  const { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } = await openAiSdk()
  if (err instanceof APIConnectionTimeoutError) return { kind: 'unreachable', reason: `no answer within ${timeoutMs} ms`, answered: false }
  if (err instanceof APIConnectionError) return { kind: 'unreachable', reason: networkCause(err) ?? firstLine(err.message), answered: false }
  if (err instanceof APIUserAbortError) return { kind: 'aborted', reason: 'aborted', answered: false }
  if (err instanceof APIError && typeof err.status === 'number') {
    const said = firstLine(err.message.replace(/^\d{3}\s*/, ''))
    const reason = `HTTP ${err.status}${said === '' || said === 'status code (no body)' ? '' : `: ${said}`}`
    const status = err.status
    const kind = status === 401 || status === 403 ? 'credentials' : status === 404 ? 'not_found' : status === 429 ? 'busy' : status >= 500 ? 'server' : 'refused'
    return { kind, reason, answered: true }
  }
  // the client parses a JSON content type itself: a body that is not JSON fails here
  if (err instanceof SyntaxError) return { kind: 'garbage', reason: 'the answer is not valid JSON', answered: true }
  const cause = networkCause(err)
  if (cause != null) return { kind: 'unreachable', reason: cause, answered: false }
  return { kind: 'garbage', reason: firstLine(err instanceof Error ? err.message : String(err)), answered: true }
}
