import { OaError } from '../errors.js'

const COMMUNITY_STATUS: Readonly<Record<string, number>> = {
  unknown_community: 404,
  not_member: 403,
  not_joined: 404,
  not_admin: 403,
  exists: 409,
  name_taken: 409,
  creator: 403,
  open_community: 409,
  unreachable: 502,
  no_key: 409
}

/** A community command or request that cannot be done; `code` names why (for the API's error body). */
export class CommunityError extends OaError {
  override readonly name = 'CommunityError'
  constructor (code: string, message: string) {
    super(code, message, { status: COMMUNITY_STATUS[code] ?? 400 })
  }
}
