import { lpStream } from '@libp2p/utils'
import { checkEnvelope, EnvelopeRejectedError } from '../../events/validate.js'
import { allows } from '../../communities/access.js'
import { HISTORY_FRAME_BYTES, writeHistoryFrames } from '../../channels/history-frames.js'
import { refuseWithFrame } from '../../limits/stream-limits.js'
import { Envelope, HistoryRequest, HistoryResponse } from '../../wire/generated/event.js'
import { openPeerStream } from '../../node/peer-stream.js'
import type { OperationStore } from './store.js'
import type { Channels } from '../../channels/channels.js'
import type { CommunityMembership } from '../../communities/access.js'
import type { EventCatalog } from '../../events/registry.js'
import type { NodeLimits } from '../../limits/node-limits.js'
import type { Connection, Logger, PeerId, Stream } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'

/** Largest request a peer may send. */
const REQUEST_MAX_BYTES = 1024
const TIMEOUT_MS = 30_000

const refuseSync = refuseWithFrame(message => HistoryResponse.encode({ messages: [], done: true, error: message }))

/** What a mod's operations are: the protocol that serves them, their channel and types, and the word logs and errors use. */
export interface OperationKind {
  /** `/oa/wiki/1.0.0` */
  protocol: string
  /** The channel of each community they travel on (`wiki`). */
  channel: string
  types: ReadonlySet<string>
  /** `wiki`, `forum` */
  name: string
}

export interface OperationSyncContext {
  kind: OperationKind
  registrar: Registrar
  connectionManager: ConnectionManager
  communities: CommunityMembership
  channels: Channels
  events: EventCatalog
  limits: NodeLimits
  store: () => OperationStore
  maxMessageBytes: number
  maxSkewMs: number
  log: Logger
  /** An operation checked by the pipeline (signature, role, the mod's wire rules), in the clear. */
  take: (envelope: Envelope) => void
  /** An operation refused; `peer` is blamed (its score lowered) when set. */
  rejected: (err: EnvelopeRejectedError, peer?: string) => void
}

/**
 * A mod's catch-up protocol (`/oa/wiki/1.0.0`, `/oa/forum/1.0.0`) with the frames of
 * `/oa/history/1.0.0`: a HistoryRequest naming the community and the mod's channel, then
 * HistoryResponse frames. A member answers with every operation of the community it
 * holds, sealed in a private community, and only to a peer that may read it; the asker
 * checks each one as history is checked (signature, membership, role, payload, the mod's
 * wire rules), then takes those it lacks.
 *
 * @example
 * ```ts
 * const sync = new OperationSync({ kind: { protocol: '/oa/forum/1.0.0', channel: 'forum', types: FORUM_TYPES, name: 'forum' }, ...parts })
 * await sync.start()
 * await sync.fetch(peer, 'devsupport')   // operations that were new
 * ```
 */
export class OperationSync {
  private readonly ctx: OperationSyncContext
  private readonly kind: OperationKind

  constructor (ctx: OperationSyncContext) {
    this.ctx = ctx
    this.kind = ctx.kind
  }

  async start (): Promise<void> {
    await this.ctx.registrar.handle(this.kind.protocol, this.ctx.limits.streams.guard(this.kind.protocol, this.onStream, refuseSync), { maxInboundStreams: 16, maxOutboundStreams: 16, runOnLimitedConnection: true })
  }

  async stop (): Promise<void> {
    await this.ctx.registrar.unhandle(this.kind.protocol)
  }

  /** Asks `peer` for every operation of a community; returns how many were new. */
  async fetch (peer: PeerId, community: string, signal?: AbortSignal): Promise<number> {
    if (!this.ctx.communities.mayRead(community, peer.toString())) return 0
    const abort = signal == null ? AbortSignal.timeout(TIMEOUT_MS) : AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)])
    const stream = await openPeerStream(this.ctx.connectionManager, peer, this.kind.protocol, { signal: abort })
    const lp = lpStream(stream, { maxDataLength: HISTORY_FRAME_BYTES + this.ctx.maxMessageBytes + 1024 })
    let added = 0
    try {
      await lp.write(HistoryRequest.encode({ community, channel: this.kind.channel, limit: 0, before: 0n }), { signal: abort })
      for (;;) {
        const frame = HistoryResponse.decode(await lp.read({ signal: abort }))
        if (frame.error !== '') throw new Error(`peer refused the ${this.kind.name}: ${frame.error}`)
        for (const envelope of frame.messages) if (await this.accept(envelope, community, peer.toString())) added++
        if (frame.done) break
      }
      await stream.close({ signal: abort }).catch(() => {})
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      if (added === 0) throw err
    }
    return added
  }

  private async accept (wire: Envelope, community: string, peer: string): Promise<boolean> {
    const store = this.ctx.store()
    if (store.has(wire.id)) return false
    const access = this.ctx.communities
    const sealer = access.sealer(community)
    try {
      if (Envelope.encode(wire).byteLength > this.ctx.maxMessageBytes) throw new EnvelopeRejectedError('size', `${this.kind.name} operation over the size limit`)
      const clear = await checkEnvelope(wire, {
        ...(sealer == null ? {} : { sealer, hasEpoch: (e: number) => access.hasEpoch(community, e) }),
        // like history: the author must have been allowed to write when it wrote
        mayWrite: (author, at) => access.mayWrite(community, author, at),
        isAdmin: (author, at) => allows(access, 'admin', community, author, at),
        maxBytes: this.ctx.maxMessageBytes,
        maxSkewMs: this.ctx.maxSkewMs,
        allowPast: true,
        events: this.ctx.events,
        allowType: t => this.kind.types.has(t),
        isMember: c => this.ctx.channels.communities().includes(c),
        admit: e => this.ctx.channels.admit(e),
        community,
        channel: this.kind.channel
      })
      this.ctx.take(clear)
      return true
    } catch (err) {
      if (!(err instanceof EnvelopeRejectedError)) throw err
      // the relaying member's view of members, keys and the mod's state may differ from this node's
      const blameless = err.reason === 'key' || err.reason === 'membership' || err.reason === 'rule'
      this.ctx.rejected(err, blameless ? undefined : peer)
      if (err.reason === 'key' || err.reason === 'membership') access.refresh(community, peer)
      return false
    }
  }

  private readonly onStream = async (stream: Stream, connection: Connection): Promise<void> => {
    const signal = AbortSignal.timeout(TIMEOUT_MS)
    const lp = lpStream(stream, { maxDataLength: REQUEST_MAX_BYTES })
    const peer = connection.remotePeer.toString()
    try {
      let request: HistoryRequest
      try {
        request = HistoryRequest.decode(await lp.read({ signal }))
      } catch (err) {
        this.ctx.rejected(new EnvelopeRejectedError('decode', `bad ${this.kind.name} request: ${(err as Error).message}`), peer)
        stream.abort(err instanceof Error ? err : new Error(String(err)))
        return
      }
      const joined = this.ctx.channels.communities().includes(request.community)
      if (!joined || !this.ctx.communities.mayRead(request.community, peer) || request.channel !== this.kind.channel) {
        // refused without penalty, as history is: an honest peer meets it
        if (joined) this.ctx.rejected(new EnvelopeRejectedError('membership', `${peer} asked for the ${this.kind.name} of ${request.community} but may not read it`))
        await lp.write(HistoryResponse.encode({ messages: [], done: true, error: 'not a member of that community' }), { signal })
        await stream.close({ signal }).catch(() => {})
        return
      }
      await writeHistoryFrames(lp, this.ctx.store().list(request.community), m => this.ctx.channels.wireForm(m), signal)
      await stream.close({ signal }).catch(() => {})
    } catch (err) {
      this.ctx.log('%s stream from %p failed: %s', this.kind.name, connection.remotePeer, (err as Error).message)
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }
}
