/** A community command or request that cannot be done; `code` names why (for the API's error body). */
export class CommunityError extends Error {
  override readonly name = 'CommunityError'
  readonly code: string
  constructor (code: string, message: string) {
    super(message)
    this.code = code
  }
}
