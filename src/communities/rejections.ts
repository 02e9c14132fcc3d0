/** Why an inbound community object or request was refused. */
export const COMMUNITY_REJECT_REASONS = ['decode', 'object', 'issuer', 'unknown_community', 'not_member', 'bearer'] as const
export type CommunityRejectReason = typeof COMMUNITY_REJECT_REASONS[number]

/** Counts of refused community objects and requests, by reason. */
export interface CommunityRejections {
  total: number
  byReason: Record<CommunityRejectReason, number>
}

export function emptyRejections (): CommunityRejections {
  return { total: 0, byReason: Object.fromEntries(COMMUNITY_REJECT_REASONS.map(r => [r, 0])) as Record<CommunityRejectReason, number> }
}
