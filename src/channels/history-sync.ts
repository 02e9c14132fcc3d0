import { lpStream } from '@libp2p/utils'
import { envelopeToJson } from '../events/json.js'
import { allows } from '../communities/access.js'
import { refuseWithFrame } from '../limits/stream-limits.js'
import { CHANNEL_NAME } from '../events/types.js'
import { checkEnvelope, EnvelopeRejectedError } from '../events/validate.js'
import { Envelope, HistoryRequest, HistoryResponse } from '../wire/generated/event.js'
import { HISTORY_PROTOCOL } from '../wire/topics.js'
import { HISTORY_FRAME_BYTES, writeHistoryFrames } from './history-frames.js'
import { openPeerStream } from '../node/peer-stream.js'
import type { ChannelsContext } from './context.js'
import type { Connection, PeerId, Stream } from '@libp2p/interface'

/** Most messages one history request returns. */
export const MAX_HISTORY_LIMIT = 1000
/** Largest request a peer may send. */
const REQUEST_MAX_BYTES = 1024
const TIMEOUT_MS = 15_000

/** Answers a history stream over the stream limits with an error response that says why. */
const refuseHistory = refuseWithFrame(message => HistoryResponse.encode({ messages: [], done: true, error: message }))

/**
 * Channel backfill over `/oa/history/1.0.0`: a node asks a peer for the latest
 * messages of a channel and stores those it lacks, after checking each one.
 */
export class HistorySync {
  private readonly ctx: ChannelsContext

  constructor (ctx: ChannelsContext) {
    this.ctx = ctx
  }

  async start (): Promise<void> {
    await this.ctx.components.registrar.handle(HISTORY_PROTOCOL, this.ctx.limits.streams.guard(HISTORY_PROTOCOL, this.onStream, refuseHistory), { maxInboundStreams: 32, maxOutboundStreams: 32, runOnLimitedConnection: true })
  }

  async stop (): Promise<void> {
    await this.ctx.components.registrar.unhandle(HISTORY_PROTOCOL)
  }

  /**
   * Asks `peer` for the latest `limit` messages of a channel; stores and announces the
   * new ones. Returns how many were new.
   */
  async fetch (peer: PeerId, community: string, channel: string, limit: number, signal?: AbortSignal): Promise<number> {
    // a private community's history comes only from its members
    if (!this.ctx.components.communities.mayRead(community, peer.toString())) return 0
    const timeout = AbortSignal.timeout(TIMEOUT_MS)
    const abort = signal == null ? timeout : AbortSignal.any([signal, timeout])
    const stream = await openPeerStream(this.ctx.components.connectionManager, peer, HISTORY_PROTOCOL, { signal: abort })
    const lp = lpStream(stream, { maxDataLength: HISTORY_FRAME_BYTES + this.ctx.settings.maxMessageBytes + 1024 })
    let added = 0
    let received = 0
    try {
      await lp.write(HistoryRequest.encode({ community, channel, limit, before: 0n }), { signal: abort })
      for (;;) {
        const frame = HistoryResponse.decode(await lp.read({ signal: abort }))
        if (frame.error !== '') throw new Error(`peer refused history: ${frame.error}`)
        for (const envelope of frame.messages) {
          if (++received > limit) throw new Error('peer sent more messages than asked for')
          if (await this.accept(envelope, community, channel, peer.toString())) added++
        }
        if (frame.done) break
      }
      await stream.close({ signal: abort }).catch(() => {})
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      if (added === 0) throw err
    }
    return added
  }

  private async accept (envelope: Envelope, community: string, channel: string, peer: string): Promise<boolean> {
    if (this.ctx.store.has(envelope.id)) return false
    const access = this.ctx.components.communities
    const sealer = access.sealer(community)
    let clear: Envelope
    try {
      if (Envelope.encode(envelope).byteLength > this.ctx.settings.maxMessageBytes) throw new EnvelopeRejectedError('size', 'history envelope over the size limit')
      clear = await checkEnvelope(envelope, {
        ...(sealer == null ? {} : { sealer, hasEpoch: (e: number) => access.hasEpoch(community, e) }),
        // history: the author must have been allowed to write when it wrote
        mayWrite: (author, at) => access.mayWrite(community, author, at),
        isAdmin: (author, at) => allows(access, 'admin', community, author, at),
        maxBytes: this.ctx.settings.maxMessageBytes,
        maxSkewMs: this.ctx.settings.maxClockSkewMs,
        allowPast: true,
        events: this.ctx.events,
        allowType: t => this.ctx.events.carries(t, 'channel'),
        isMember: this.ctx.isMember,
        admit: this.ctx.admit,
        community,
        channel
      })
    } catch (err) {
      if (!(err instanceof EnvelopeRejectedError)) throw err
      // a key this node lacks, or an author it does not (yet) know as a writer, is not
      // the fault of the peer that relays the message (its view of the members may be
      // ahead or behind this node's): count it, fetch the community's state from it
      // a mod's rule reads the receiver's own state, which the relaying peer may not share yet
      const blameless = err.reason === 'key' || err.reason === 'membership' || err.reason === 'rule'
      this.ctx.rejected(err, 'history', blameless ? undefined : peer)
      if (err.reason === 'key' || err.reason === 'membership') access.refresh(community, peer)
      return false
    }
    if (!this.ctx.store.add(clear)) return false
    this.ctx.observe({ event: envelopeToJson(clear), origin: 'history' })
    return true
  }

  private readonly onStream = async (stream: Stream, connection: Connection): Promise<void> => {
    const signal = AbortSignal.timeout(TIMEOUT_MS)
    const lp = lpStream(stream, { maxDataLength: REQUEST_MAX_BYTES })
    try {
      let request: HistoryRequest
      try {
        request = HistoryRequest.decode(await lp.read({ signal }))
      } catch (err) {
        this.ctx.rejected(new EnvelopeRejectedError('decode', `bad history request: ${(err as Error).message}`), 'history', connection.remotePeer.toString())
        stream.abort(err instanceof Error ? err : new Error(String(err)))
        return
      }
      const peer = connection.remotePeer.toString()
      const access = this.ctx.components.communities
      const refuse = !this.ctx.isMember(request.community)
        ? 'not a member of that community'
        : !access.mayRead(request.community, peer)
            ? 'not a member of that community'
            : !CHANNEL_NAME.test(request.channel) ? 'malformed channel name' : ''
      if (refuse !== '') {
        if (this.ctx.isMember(request.community)) this.ctx.rejected(new EnvelopeRejectedError('membership', `${peer} asked for the history of ${request.community}/${request.channel} but is not a member`), 'history', peer)
        await lp.write(HistoryResponse.encode({ messages: [], done: true, error: refuse }), { signal })
        await stream.close({ signal }).catch(() => {})
        return
      }
      const limit = Math.min(Math.max(request.limit, 0), MAX_HISTORY_LIMIT)
      const messages = this.ctx.store.list(request.community, request.channel, {
        limit,
        before: request.before === 0n ? undefined : Number(request.before)
      })
      await writeHistoryFrames(lp, messages, m => this.ctx.wireForm(m), signal)
      await stream.close({ signal }).catch(() => {})
    } catch (err) {
      this.ctx.log('history stream from %p failed: %s', connection.remotePeer, (err as Error).message)
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }
}
