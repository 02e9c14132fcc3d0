import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { createEnvelope, payloadOf } from '../events/envelope.js'
import { envelopeToJson } from '../events/json.js'
import { AGENT_NAME, EventTypes, parseAgentId } from '../events/types.js'
import { checkEnvelope, EnvelopeRejectedError, validateEnvelope } from '../events/validate.js'
import { DirectResponse, Envelope } from '../wire/generated/event.js'
import { DIRECT_PROTOCOL } from '../wire/topics.js'
import { refuseWithFrame } from '../limits/stream-limits.js'
import { ChannelInputError, DirectError, DirectTimeoutError, LimitedError, NoSuchAgentError, RejectedError, UnreachableError } from './errors.js'
import { openPeerStream } from '../node/peer-stream.js'
import type { ChannelsContext } from './context.js'
import type { EventJson } from '../events/json.js'
import type { LimitRefusal } from '../limits/direct-rate.js'
import type { ValidationRules } from '../events/validate.js'
import type { Connection, Stream } from '@libp2p/interface'

/** A direct request as an agent's handler receives it. */
export interface DirectRequest {
  /** The request envelope's id. */
  id: string
  /** Agent id of the sender, `<name>@<peer id>`. */
  from: string
  /** Name of the local agent addressed. */
  to: string
  community: string
  payload: unknown
  event: EventJson
}

/** Answers a direct request; the returned JSON value is the response payload. Throw to refuse. */
export type DirectHandler = (request: DirectRequest, options: { signal: AbortSignal }) => Promise<unknown>

export interface SendDirectOptions {
  /** Name of the sending agent on this node. */
  from: string
  /** Agent id of the addressee: `<name>@<peer id>`. */
  to: string
  community: string
  payload: unknown
  /** Thread the request belongs to. */
  thread?: string
  /** Default: `channels.directTimeoutMs`. */
  timeoutMs?: number
  signal?: AbortSignal
}

/** The response to a direct request. */
export interface DirectReply {
  payload: unknown
  event: EventJson
}

const READ_TIMEOUT_MS = 10_000
const FRAME_OVERHEAD = 4096

/**
 * Agent-to-agent request/response over `/oa/direct/1.0.0`: one length-prefixed request
 * envelope, one `DirectResponse` frame.
 */
export class DirectMessenger {
  private readonly ctx: ChannelsContext
  private readonly handlers = new Map<string, DirectHandler>()

  constructor (ctx: ChannelsContext) {
    this.ctx = ctx
  }

  async start (): Promise<void> {
    const onStream = this.ctx.limits.streams.guard(DIRECT_PROTOCOL, this.onStream, this.refuseStream)
    await this.ctx.components.registrar.handle(DIRECT_PROTOCOL, onStream, { maxInboundStreams: 64, maxOutboundStreams: 64, runOnLimitedConnection: true })
  }

  async stop (): Promise<void> {
    await this.ctx.components.registrar.unhandle(DIRECT_PROTOCOL)
  }

  /** Registers the handler of a local agent; returns a function that removes it. */
  handle (agent: string, handler: DirectHandler): () => void {
    if (!AGENT_NAME.test(agent)) throw new ChannelInputError('bad_agent', `"${agent}" is not a valid agent name`)
    if (this.handlers.has(agent)) throw new ChannelInputError('duplicate_agent', `an agent named "${agent}" already handles direct requests on this node`)
    this.handlers.set(agent, handler)
    return () => { if (this.handlers.get(agent) === handler) this.handlers.delete(agent) }
  }

  agents (): string[] {
    return [...this.handlers.keys()]
  }

  private rules (overrides: Partial<ValidationRules>): ValidationRules {
    return {
      maxBytes: this.ctx.settings.maxMessageBytes,
      maxSkewMs: this.ctx.settings.maxClockSkewMs,
      isMember: this.ctx.isMember,
      events: this.ctx.events,
      allowType: t => t === EventTypes.DIRECT_REQUEST_SEND,
      ...overrides
    }
  }

  /**
   * Sends a request to an agent on any node and waits for its response.
   * Throws UnreachableError, DirectTimeoutError, RejectedError (LimitedError when the
   * target's limits refused it) or NoSuchAgentError.
   */
  async send (options: SendDirectOptions): Promise<DirectReply> {
    if (!this.ctx.isMember(options.community)) throw new ChannelInputError('not_member', `this node has not joined community "${options.community}"`)
    let target
    try {
      target = parseAgentId(options.to)
    } catch (err) {
      throw new ChannelInputError('bad_target', (err as Error).message)
    }
    const access = this.ctx.components.communities
    // a request speaks in the community; in a private one it goes only to members
    if (!access.mayWrite(options.community, this.ctx.components.peerId.toString())) throw new ChannelInputError('read_only', `this node may read ${options.community} but not send requests in it`)
    if (!access.mayRead(options.community, target.peerId.toString())) throw new ChannelInputError('not_member', `${target.peerId.toString()} is not a member of ${options.community}: the request is not sent`)
    const key = this.ctx.components.privateKey
    const request = await createEnvelope({
      type: EventTypes.DIRECT_REQUEST_SEND,
      community: options.community,
      agent: options.from,
      target: options.to,
      thread: options.thread,
      payload: options.payload
    }, key)
    const bytes = Envelope.encode(request)
    if (bytes.byteLength > this.ctx.settings.maxMessageBytes) throw new ChannelInputError('too_large', `request of ${bytes.byteLength} bytes is over the ${this.ctx.settings.maxMessageBytes}-byte limit`)
    this.ctx.observe({ event: envelopeToJson(request), origin: 'local' })

    const timeoutMs = options.timeoutMs ?? this.ctx.settings.directTimeoutMs
    const timeout = AbortSignal.timeout(timeoutMs)
    const signal = options.signal == null ? timeout : AbortSignal.any([options.signal, timeout])
    const failure = (err: unknown, dialing: boolean): Error => {
      if (options.signal?.aborted === true) return options.signal.reason instanceof Error ? options.signal.reason : new Error('aborted')
      if (timeout.aborted) return new DirectTimeoutError(`no response from ${options.to} within ${timeoutMs} ms`)
      if (err instanceof DirectError) return err
      return dialing
        ? new UnreachableError(`cannot reach the node of ${options.to}: ${(err as Error).message}`)
        : new RejectedError(`the exchange with ${options.to} failed: ${(err as Error).message}`)
    }

    let response: DirectResponse
    if (target.peerId.equals(peerIdFromPrivateKey(key))) {
      response = await this.answer(request, signal)
      if (signal.aborted) throw failure(signal.reason, false)
    } else {
      let stream: Stream
      try {
        stream = await openPeerStream(this.ctx.components.connectionManager, target.peerId, DIRECT_PROTOCOL, { signal })
      } catch (err) {
        throw failure(err, true)
      }
      try {
        const lp = lpStream(stream, { maxDataLength: this.ctx.settings.maxMessageBytes + FRAME_OVERHEAD })
        await lp.write(bytes, { signal })
        response = DirectResponse.decode(await lp.read({ signal }))
        await stream.close({ signal }).catch(() => {})
      } catch (err) {
        stream.abort(err instanceof Error ? err : new Error(String(err)))
        throw failure(err, false)
      }
    }
    return this.readResponse(request, response, target.peerId.toString())
  }

  private async readResponse (request: Envelope, response: DirectResponse, targetPeer: string): Promise<DirectReply> {
    switch (response.status) {
      case DirectResponse.Status.NO_SUCH_AGENT: throw new NoSuchAgentError(response.error)
      case DirectResponse.Status.REJECTED: throw LimitedError.matches(response.error) ? new LimitedError(response.error) : new RejectedError(response.error)
      case DirectResponse.Status.ERROR: throw new RejectedError(response.error)
      case DirectResponse.Status.OK: break
    }
    if (response.envelope == null) throw new RejectedError('the response carried no envelope')
    try {
      const access = this.ctx.components.communities
      const envelope = await checkEnvelope(response.envelope, this.rules({
        mayWrite: (author, _at, community) => access.mayRead(community, author),
        allowType: t => t === EventTypes.DIRECT_RESPONSE_SEND,
        community: request.community,
        sender: targetPeer,
        replay: this.ctx.replay
      }))
      if (envelope.replyTo !== request.id) throw new EnvelopeRejectedError('target', 'the response answers another request')
      const event = envelopeToJson(envelope)
      this.ctx.observe({ event, origin: 'direct' })
      return { payload: payloadOf(envelope), event }
    } catch (err) {
      if (!(err instanceof EnvelopeRejectedError)) throw err
      this.ctx.rejected(err, 'direct', targetPeer)
      throw new RejectedError(`invalid response: ${err.message}`)
    }
  }

  /** Runs the addressed agent's handler and builds the response frame. */
  private async answer (request: Envelope, signal: AbortSignal): Promise<DirectResponse> {
    const target = request.target ?? ''
    const name = target.slice(0, target.lastIndexOf('@'))
    const handler = this.handlers.get(name)
    if (handler == null) {
      return { status: DirectResponse.Status.NO_SUCH_AGENT, error: `no agent named "${name}" on ${this.ctx.components.peerId.toString()}` }
    }
    const event = envelopeToJson(request)
    this.ctx.observe({ event, origin: request.source.endsWith(this.ctx.components.peerId.toString()) ? 'local' : 'direct' })
    const timeout = AbortSignal.timeout(this.ctx.settings.directTimeoutMs)
    let payload: unknown
    try {
      payload = await handler({ id: request.id, from: request.source, to: name, community: request.community, payload: event.payload, event }, { signal: AbortSignal.any([signal, timeout]) })
    } catch (err) {
      this.ctx.log('agent %s failed on a direct request: %s', name, (err as Error).message)
      return { status: DirectResponse.Status.ERROR, error: `${name} failed: ${(err as Error).message}` }
    }
    const response = await createEnvelope({
      type: EventTypes.DIRECT_RESPONSE_SEND,
      community: request.community,
      agent: name,
      target: request.source,
      replyTo: request.id,
      thread: request.thread ?? request.id,
      payload: payload ?? null
    }, this.ctx.components.privateKey)
    if (Envelope.encode(response).byteLength > this.ctx.settings.maxMessageBytes) {
      return { status: DirectResponse.Status.ERROR, error: `${name}'s response is over the ${this.ctx.settings.maxMessageBytes}-byte limit` }
    }
    this.ctx.observe({ event: envelopeToJson(response), origin: 'local' })
    return { status: DirectResponse.Status.OK, envelope: response, error: '' }
  }

  /** Counts a refusal by a limit and builds the response that says why. */
  private refused (refusal: LimitRefusal, peer: string): DirectResponse {
    this.ctx.limits.refuse(refusal.reason, peer)
    this.ctx.log('refused a direct request from %s: %s', peer, refusal.message)
    return { status: DirectResponse.Status.REJECTED, error: refusal.message }
  }

  /** Answers a stream over the stream limits with a REJECTED frame that says why (counted by the guard). */
  private readonly refuseStream = refuseWithFrame(message => DirectResponse.encode({ status: DirectResponse.Status.REJECTED, error: message }))

  private readonly onStream = async (stream: Stream, connection: Connection): Promise<void> => {
    const peer = connection.remotePeer.toString()
    const signal = AbortSignal.timeout(READ_TIMEOUT_MS + this.ctx.settings.directTimeoutMs)
    const lp = lpStream(stream, { maxDataLength: this.ctx.settings.maxMessageBytes })
    try {
      let bytes
      try {
        bytes = await lp.read({ signal: AbortSignal.timeout(READ_TIMEOUT_MS) })
      } catch (err) {
        const tooBig = (err as Error).name === 'InvalidDataLengthError'
        if (tooBig) this.ctx.rejected(new EnvelopeRejectedError('size', 'request frame over the size limit'), 'direct', peer)
        stream.abort(err instanceof Error ? err : new Error(String(err)))
        return
      }
      let response: DirectResponse
      try {
        // the sender's own rate first, before any work on what it sent
        const overRate = this.ctx.limits.direct.checkPeer(peer)
        if (overRate != null) {
          response = this.refused(overRate, peer)
        } else {
          const access = this.ctx.components.communities
          const request = await validateEnvelope(bytes, this.rules({ sender: peer, replay: this.ctx.replay, mayWrite: (author, _at, community) => access.mayWrite(community, author) }))
          const target = request.target ?? ''
          if (!target.endsWith(`@${this.ctx.components.peerId.toString()}`)) throw new EnvelopeRejectedError('target', `the request is addressed to ${target.slice(0, 120) || 'nobody'}, not to an agent of this node`)
          const name = target.slice(0, target.lastIndexOf('@'))
          const overAgent = this.handlers.has(name) ? this.ctx.limits.direct.checkAgent(name) : undefined
          response = overAgent != null ? this.refused(overAgent, peer) : await this.answer(request, signal)
        }
      } catch (err) {
        if (!(err instanceof EnvelopeRejectedError)) throw err
        this.ctx.rejected(err, 'direct', peer)
        // a non-member learns nothing from the answer, not even whether the community exists here
        response = { status: DirectResponse.Status.REJECTED, error: err.reason === 'membership' || err.reason === 'community' ? 'community: no community of that name is open to this sender here' : `${err.reason}: ${err.message}` }
      }
      await lp.write(DirectResponse.encode(response), { signal })
      await stream.close({ signal }).catch(() => {})
    } catch (err) {
      this.ctx.log('direct stream from %s failed: %s', peer, (err as Error).message)
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }
}
