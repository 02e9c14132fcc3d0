import { lpStream } from '@libp2p/utils'
import type { LimitRefusal } from './direct-rate.js'
import type { LimitReason } from './refusals.js'
import type { Connection, Stream, StreamHandler } from '@libp2p/interface'

export interface StreamLimitSettings {
  /** Inbound streams open at once per protocol, over all connections. */
  perProtocol: number
  /** Of those, how many one peer may hold, over all its connections. */
  perPeer: number
}

/** Answers a stream refused by a limit (a protocol with a response frame says why; others are aborted). */
export type RefuseStream = (stream: Stream, refusal: LimitRefusal) => Promise<void>

interface Counts {
  total: number
  byPeer: Map<string, number>
}

const REFUSE_TIMEOUT_MS = 5_000

/**
 * A node-wide bound on the inbound streams of each protocol, and a per-peer share of
 * it. The registrar's `maxInboundStreams` counts per connection, so a peer with several
 * connections, or many peers together, could otherwise hold any number of handlers
 * (and whatever they call: a language model, a store) at once. A stream counts from
 * the moment its handler starts until the handler returns or the stream closes.
 *
 * @example
 * ```ts
 * const streams = new StreamLimits({ perProtocol: 128, perPeer: 16 }, (reason, peer) => { console.log(reason, peer) })
 * await registrar.handle('/my/1.0.0', streams.guard('/my/1.0.0', onStream))
 * ```
 */
export class StreamLimits {
  private readonly settings: StreamLimitSettings
  private readonly refused: (reason: LimitReason, peer: string) => void
  private readonly protocols = new Map<string, Counts>()

  constructor (settings: StreamLimitSettings, refused: (reason: LimitReason, peer: string) => void) {
    this.settings = settings
    this.refused = refused
  }

  /**
   * Wraps a stream handler: a stream over a limit goes to `refuse` (by default it is
   * aborted with the reason; a protocol with a refusal frame passes `refuseWithFrame`)
   * and the handler never sees it.
   */
  guard (protocol: string, handler: StreamHandler, refuse: RefuseStream = abortWith): StreamHandler {
    return async (stream: Stream, connection: Connection): Promise<void> => {
      const peer = connection.remotePeer.toString()
      const refusal = this.acquire(protocol, peer)
      if (refusal != null) {
        this.refused(refusal.reason, peer)
        try {
          await refuse(stream, refusal)
        } catch (err) {
          stream.abort(err instanceof Error ? err : new Error(String(err)))
        }
        return
      }
      let held = true
      const release = (): void => {
        if (!held) return
        held = false
        this.release(protocol, peer)
      }
      stream.addEventListener('close', release, { once: true })
      try {
        await handler(stream, connection)
      } finally {
        release()
      }
    }
  }

  /** Streams open now, per protocol guarded. */
  open (): Record<string, number> {
    return Object.fromEntries([...this.protocols].map(([protocol, counts]) => [protocol, counts.total]))
  }

  private acquire (protocol: string, peer: string): LimitRefusal | undefined {
    let counts = this.protocols.get(protocol)
    if (counts == null) {
      counts = { total: 0, byPeer: new Map() }
      this.protocols.set(protocol, counts)
    }
    const mine = counts.byPeer.get(peer) ?? 0
    if (mine >= this.settings.perPeer) {
      return { reason: 'streams_peer', message: `busy: this peer has ${mine} ${protocol} streams open on this node, the most one peer may (limits.streams.perPeer); retry when one has finished` }
    }
    if (counts.total >= this.settings.perProtocol) {
      return { reason: 'streams_node', message: `busy: this node has ${counts.total} ${protocol} streams open, its limit (limits.streams.perProtocol); retry shortly` }
    }
    counts.total++
    counts.byPeer.set(peer, mine + 1)
    return undefined
  }

  private release (protocol: string, peer: string): void {
    const counts = this.protocols.get(protocol)
    if (counts == null) return
    counts.total = Math.max(0, counts.total - 1)
    const mine = (counts.byPeer.get(peer) ?? 1) - 1
    if (mine <= 0) counts.byPeer.delete(peer)
    else counts.byPeer.set(peer, mine)
  }
}

async function abortWith (stream: Stream, refusal: LimitRefusal): Promise<void> {
  stream.abort(new Error(refusal.message))
}

/** How long a refusal frame may take to write before the stream is aborted. */
export function refuseSignal (): AbortSignal {
  return AbortSignal.timeout(REFUSE_TIMEOUT_MS)
}

/**
 * Refuses a stream with one length-prefixed frame of the protocol's own, the one it
 * uses to say "refused", carrying the refusal's message; then closes the stream. The
 * asker reads why instead of seeing a reset it cannot tell from a failure.
 *
 * @example
 * ```ts
 * const refuse = refuseWithFrame(message => HistoryResponse.encode({ messages: [], done: true, error: message }))
 * await registrar.handle(HISTORY_PROTOCOL, limits.streams.guard(HISTORY_PROTOCOL, onStream, refuse))
 * ```
 */
export function refuseWithFrame (frame: (message: string) => Uint8Array): RefuseStream {
  return async (stream: Stream, refusal: LimitRefusal): Promise<void> => {
    const signal = refuseSignal()
    await lpStream(stream).write(frame(refusal.message), { signal })
    await stream.close({ signal }).catch(() => {})
  }
}
