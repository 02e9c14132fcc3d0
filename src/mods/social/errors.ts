import { OaError } from '../../errors.js'

/** Why the social mod refused a request; each is counted in its status (`refused`). */
export const SOCIAL_REFUSALS = ['self_endorsement', 'bad_agent', 'bad_capability', 'not_member'] as const
export type SocialRefusal = typeof SOCIAL_REFUSALS[number]

const STATUS: Record<SocialRefusal, number> = { self_endorsement: 400, bad_agent: 400, bad_capability: 400, not_member: 404 }

/** A request the social mod refused: `code` is one of SOCIAL_REFUSALS. */
export class SocialError extends OaError {
  override readonly name = 'SocialError'

  constructor (code: SocialRefusal, message: string) {
    super(code, message, { status: STATUS[code] })
  }
}
