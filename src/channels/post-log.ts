import type { Envelope } from '../wire/generated/event.js'

/** One message of the post log and its position there. */
export interface PostedEntry {
  /** Increases with every message this node writes; never reused. */
  position: number
  envelope: Envelope
}

/**
 * The messages this node wrote, in the order it wrote them, on disk with the channel
 * history: an entry exists once the post is acknowledged. Readers keep a named position
 * that survives restarts, so each of them sees every post once it has saved past it.
 *
 * @example
 * ```ts
 * const log = node.libp2p.services.channels.postLog()
 * let at = log.position('memory-capture')
 * for (const { position, envelope } of log.after(at, 100)) { handle(envelope); at = position }
 * log.savePosition('memory-capture', at)
 * ```
 */
export interface PostLog {
  /** Entries after `position`, oldest first, at most `limit`. */
  after: (position: number, limit: number) => PostedEntry[]
  /** The saved position of `reader` (0 when it never saved one). */
  position: (reader: string) => number
  /** Saves the position of `reader`; durable when it returns. */
  savePosition: (reader: string, position: number) => void
  /**
   * Asks retention to spare what `reader` has not read yet (up to twice the per-channel
   * count), for as long as the store is open.
   */
  follow: (reader: string) => void
}
