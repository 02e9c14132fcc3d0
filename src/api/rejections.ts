/** Why the control API refused a request at its edge, before any route ran. */
export const EDGE_REASONS = [
  'bad_host',
  'bad_origin',
  'token_in_query',
  'unauthorized',
  'bad_subprotocol',
  'unsupported_media_type',
  'body_too_large',
  'body_timeout',
  'request_timeout',
  'headers_too_large',
  'bad_http'
] as const

/** Refusals of the control API, as `GET /v1/status` reports them under `api.rejected`. */
export interface ApiRejectionCounts {
  total: number
  /** Every edge reason (zero when it never happened), then the codes of refused requests (`bad_request`, `not_found`, ...). */
  byReason: Record<string, number>
}

/**
 * Counts the control API's refusals (every 4xx answer, and connections closed for a
 * bad or slow request) by reason.
 *
 * @example
 * ```ts
 * const rejections = new ApiRejections()
 * rejections.count('bad_origin')
 * rejections.counts()   // { total: 1, byReason: { bad_host: 0, bad_origin: 1, ... } }
 * ```
 */
export class ApiRejections {
  private readonly byReason = new Map<string, number>(EDGE_REASONS.map(reason => [reason, 0]))
  private total = 0

  count (reason: string): void {
    this.total++
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1)
  }

  counts (): ApiRejectionCounts {
    return { total: this.total, byReason: Object.fromEntries(this.byReason) }
  }
}
