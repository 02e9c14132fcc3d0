import { RejectionCounter } from '../counts/rejection-counter.js'

/** Why an inbound community object or request was refused. */
export const COMMUNITY_REJECT_REASONS = ['decode', 'object', 'issuer', 'unknown_community', 'not_member', 'bearer'] as const
export type CommunityRejectReason = typeof COMMUNITY_REJECT_REASONS[number]

/** Counts of refused community objects and requests, by reason. */
export interface CommunityRejections {
  total: number
  byReason: Record<CommunityRejectReason, number>
}

/** Counts refused community objects and requests by reason. */
export class CommunityRejectionCounter extends RejectionCounter<CommunityRejectReason> {
  constructor () {
    super(COMMUNITY_REJECT_REASONS)
  }

  counts (): CommunityRejections {
    const { total, byReason } = this.snapshot()
    return { total, byReason }
  }
}
