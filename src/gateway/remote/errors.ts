import { OaError } from '../../errors.js'

/** Why the gateway refused a frame; each is counted in `GET /v1/status` under `remote_agents.rejected`. */
export const FRAME_REJECTIONS = ['not_json', 'bad_frame', 'not_registered', 'token_scope', 'unknown_request', 'busy', 'too_large'] as const
export type FrameRejection = typeof FRAME_REJECTIONS[number]

/** A frame the gateway refuses: the client gets an error frame with `code` and this message. */
export class FrameError extends OaError {
  override readonly name = 'FrameError'
  readonly reason: FrameRejection

  constructor (reason: FrameRejection, message: string, code: string = reason) {
    super(code, message)
    this.reason = reason
  }
}

/** A direct request to a remote agent whose connection closed before it answered. */
export class RemoteAgentGoneError extends OaError {
  override readonly name = 'RemoteAgentGoneError'
  constructor (message: string) {
    super('agent_disconnected', message, { status: 502 })
  }
}
