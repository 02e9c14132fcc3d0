import { REJECT_REASONS } from '../events/validate.js'
import type { RejectReason } from '../events/validate.js'

/** Where an inbound envelope came from. */
export type InboundPath = 'gossip' | 'direct' | 'history'

/** Counts of rejected inbound envelopes, as `GET /v1/status` reports them. */
export interface RejectionCounts {
  total: number
  byReason: Record<RejectReason, number>
  byPath: Record<InboundPath, number>
}

export class RejectionCounter {
  private readonly counts: RejectionCounts = {
    total: 0,
    byReason: Object.fromEntries(REJECT_REASONS.map(r => [r, 0])) as Record<RejectReason, number>,
    byPath: { gossip: 0, direct: 0, history: 0 }
  }

  add (reason: RejectReason, path: InboundPath): void {
    this.counts.total++
    this.counts.byReason[reason]++
    this.counts.byPath[path]++
  }

  snapshot (): RejectionCounts {
    return structuredClone(this.counts)
  }
}
