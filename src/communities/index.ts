import { Communities } from './service.js'
import type { CommunitiesComponents, CommunitiesInit } from './service.js'

export type { CommunityAccess, CommunityMembership, CommunitySealer, CommunitiesEvents, Requirement } from './access.js'
export { OPEN_ACCESS, allows } from './access.js'
export type { CommunitiesComponents, CommunitiesInit, CommunityView, InviteOptions } from './service.js'
export type { Role, Policy } from './objects.js'
export type { MemberView } from './state.js'
export { Communities } from './service.js'
export { CommunityError } from './errors.js'
export { COMMUNITY_PROTOCOL } from './control-protocol.js'

/**
 * The communities service: signed descriptors, members, invites and epoch keys.
 *
 * @example
 * ```ts
 * createLibp2p({ services: { communities: communities({ dataDir: './n1' }), ... } })
 * ```
 */
export function communities (init: CommunitiesInit): (components: CommunitiesComponents) => Communities {
  return (components) => new Communities(components, init)
}
