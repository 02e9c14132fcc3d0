import { randomBytes } from 'node:crypto'

/** How long a sign-in code that `oa-node studio` prints stays usable. */
export const CODE_TTL_MS = 2 * 60_000
/** How long a Studio session lasts without being used. */
export const SESSION_IDLE_MS = 12 * 60 * 60_000
/** Codes and sessions a node keeps at most; the oldest go first. */
const MAX_ENTRIES = 256

function secret (): string {
  return randomBytes(32).toString('base64url')
}

/** Entries by secret, each with its expiry; bounded, the oldest dropped first. */
class Expiring {
  private readonly entries = new Map<string, number>()

  add (value: string, expiresAt: number): void {
    this.entries.set(value, expiresAt)
    while (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value
      if (oldest === undefined) break
      this.entries.delete(oldest)
    }
  }

  /** True when the entry exists and has not expired (an expired one is removed). */
  live (value: string, now: number): boolean {
    const expiresAt = this.entries.get(value)
    if (expiresAt == null) return false
    if (expiresAt > now) return true
    this.entries.delete(value)
    return false
  }

  delete (value: string): boolean {
    return this.entries.delete(value)
  }

  get size (): number {
    return this.entries.size
  }
}

/**
 * The Studio's sign-ins: one-time codes (issued to a holder of the API token, used once
 * within CODE_TTL_MS) and the sessions they, or the token itself, open. Kept in memory
 * only: a node that restarts signs every browser out.
 *
 * @example
 * ```ts
 * const sessions = new StudioSessions()
 * const { code } = sessions.issueCode()
 * const session = sessions.redeemCode(code)   // a session id for the cookie; undefined the second time
 * sessions.valid(session!)                    // true
 * ```
 */
export class StudioSessions {
  private readonly codes = new Expiring()
  private readonly sessions = new Expiring()
  private readonly now: () => number

  constructor (now: () => number = Date.now) {
    this.now = now
  }

  /** A new one-time code and when it expires. */
  issueCode (): { code: string, expiresAt: number } {
    const code = secret()
    const expiresAt = this.now() + CODE_TTL_MS
    this.codes.add(code, expiresAt)
    return { code, expiresAt }
  }

  /** Uses a code up: a new session id, or undefined when the code is unknown, used or expired. */
  redeemCode (code: string): string | undefined {
    const live = this.codes.live(code, this.now())
    this.codes.delete(code)
    return live ? this.open() : undefined
  }

  /** Opens a session (after the API token was presented) and returns its id. */
  open (): string {
    const id = secret()
    this.sessions.add(id, this.now() + SESSION_IDLE_MS)
    return id
  }

  /** True for a live session; using it extends it by SESSION_IDLE_MS. */
  valid (id: string): boolean {
    const now = this.now()
    if (!this.sessions.live(id, now)) return false
    this.sessions.delete(id)
    this.sessions.add(id, now + SESSION_IDLE_MS)
    return true
  }

  /** Ends a session; false when there was none. */
  end (id: string): boolean {
    return this.sessions.delete(id)
  }

  /** Live and expired-but-not-yet-dropped sessions. */
  get count (): number {
    return this.sessions.size
  }
}
