import { RejectionCounter as Counter } from '../counts/rejection-counter.js'
import { REJECT_REASONS } from '../events/validate.js'
import type { RejectionCounts as Counts } from '../counts/rejection-counter.js'
import type { RejectReason } from '../events/validate.js'

/** Where an inbound envelope came from. */
export type InboundPath = 'gossip' | 'direct' | 'history'

/** Counts of rejected inbound envelopes, as `GET /v1/status` reports them. */
export type RejectionCounts = Counts<RejectReason, InboundPath>

/** Counts rejected inbound envelopes by reason and path. */
export class RejectionCounter extends Counter<RejectReason, InboundPath> {
  constructor () {
    super(REJECT_REASONS, ['gossip', 'direct', 'history'])
  }
}
