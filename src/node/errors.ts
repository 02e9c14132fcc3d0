import { OaError } from '../errors.js'

/** The identity key file exists but cannot be used; it is never silently replaced. */
export class IdentityError extends Error {
  override readonly name = 'IdentityError'
}

/** The data dir cannot be created or written, or another node is using it. */
export class DataDirError extends Error {
  override readonly name = 'DataDirError'
}

/** A listen address cannot be bound (port in use, address not on this machine). */
export class ListenError extends Error {
  override readonly name = 'ListenError'
}

/** A peer address or id given to the node is malformed. */
export class PeerInputError extends OaError {
  override readonly name = 'PeerInputError'
  constructor (message: string) {
    super('bad_peer', message, { status: 400 })
  }
}

/** A peer could not be dialled. */
export class PeerUnreachableError extends OaError {
  override readonly name = 'PeerUnreachableError'
  constructor (message: string) {
    super('unreachable', message, { status: 502 })
  }
}
