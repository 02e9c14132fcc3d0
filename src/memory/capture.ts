import { envelopeToJson } from '../events/json.js'
import { EventTypes } from '../events/types.js'
import { CHANNEL_MESSAGE, DIRECT_EXCHANGE } from './kinds.js'
import type { RememberInput } from './record.js'
import type { ObservedEvent } from '../channels/context.js'
import type { PostLog } from '../channels/post-log.js'
import type { NodeConfig } from '../config/schema.js'
import type { EventJson } from '../events/json.js'
import type { Logger } from '@libp2p/interface'

/** What capture writes into: the memory service, seen through the few calls capture needs. */
export interface CaptureTarget {
  /** Communities the node has joined now. */
  communities: () => string[]
  /** Writes records of one community; resolves once they are durable (see `Memory.rememberMany`). */
  rememberMany: (community: string, inputs: RememberInput[]) => Promise<{ rejected: Array<{ index: number, error: string }> }>
  /** Which of these record ids a community's memory already holds. */
  held: (community: string, ids: string[]) => Promise<string[]>
}

export interface CaptureInit {
  /** The post log of this node (channels history); read once the channels service runs. */
  postLog: () => PostLog
  /** The node's peer id: only exchanges its agents started are captured. */
  self: string
  settings: Pick<NodeConfig['memory'], 'capture' | 'maxTextBytes'>
  target: CaptureTarget
  log: Logger
}

/** What capture has done since the node started. */
export interface CaptureStatus {
  /** Post log position up to which every post is captured (saved on disk). */
  position: number
  /** Posts written into memory. */
  posts: number
  /** Posts passed over: capture turned off for their community, a community left, already held, or not a message. */
  skipped: number
  /** Posts memory refused (the reason is logged). */
  rejected: number
  /** Batches that failed and were retried. */
  failures: number
  /** Direct exchanges written into memory. */
  exchanges: number
  /** Direct exchanges dropped because too many were waiting to be written. */
  exchangesDropped: number
}

/** The post log reader name under which the capture position is saved. */
export const CAPTURE_READER = 'memory-capture'
/** Posts read from the post log and written per batch. */
export const POST_BATCH = 1000
/** Posts written to memory per write (one commit), at most: at 1,000 posts/s a single add took 17 ms (p50) with 16, 34 ms with 64 (bench:write-path). */
export const CAPTURE_WRITE = 16
/** Direct exchanges waiting to be written, past which new ones are dropped (and counted). */
export const MAX_PENDING_EXCHANGES = 1000
/** Direct requests remembered while their response is awaited. */
const MAX_PENDING_REQUESTS = 1000
const RETRY_MIN_MS = 500
const RETRY_MAX_MS = 30_000

/**
 * Captures what happens in the node's communities into memory: the posts this node
 * wrote (`channel_message` records, id `msg-<envelope id>`) and the direct exchanges its
 * agents started (`direct_exchange`, id `dx-<request id>`). These kinds are kept apart
 * from what agents store on purpose, so that a search can leave them out.
 *
 * Posts are read from the channel history's post log, in write order, in batches of at
 * most POST_BATCH; the log position is saved after the batch it covers is durable in
 * memory, and capture resumes from it at start. A post acknowledged by the channels
 * service is therefore captured even after a crash or a stop; the batch in flight at a
 * crash is written again after the restart, and records memory already holds are
 * skipped, so nothing is captured twice. No post is held only in memory.
 *
 * Direct exchanges are captured as they happen, at most MAX_PENDING_EXCHANGES waiting.
 *
 * @example
 * ```ts
 * const capture = new Capture({ postLog: () => channels.postLog(), self: peerId.toString(), settings, target, log })
 * channels.addEventListener('event', evt => { capture.observe(evt.detail) })
 * capture.start()
 * ```
 */
export class Capture {
  private readonly init: CaptureInit
  private started = false
  private running?: Promise<void>
  private retry?: ReturnType<typeof setTimeout>
  private retryMs = RETRY_MIN_MS
  /** Whether the next batch may hold posts already written: the first after start or a failure, and each after a batch that did. */
  private mayBeHeld = true
  private readonly requests = new Map<string, EventJson>()
  private exchanges: Array<{ community: string, input: RememberInput }> = []
  private writingExchanges?: Promise<void>
  private readonly counts: CaptureStatus = { position: 0, posts: 0, skipped: 0, rejected: 0, failures: 0, exchanges: 0, exchangesDropped: 0 }

  constructor (init: CaptureInit) {
    this.init = init
  }

  /** Resumes from the saved position and captures what the log holds past it. */
  start (): void {
    this.started = true
    this.mayBeHeld = true
    this.counts.position = this.init.postLog().position(CAPTURE_READER)
    // retention spares the posts not captured yet
    this.init.postLog().follow(CAPTURE_READER)
    this.wake()
  }

  /** Finishes the batch in flight (its position is saved) and the exchanges waiting. */
  async stop (): Promise<void> {
    this.started = false
    clearTimeout(this.retry)
    this.retry = undefined
    await this.running
    await this.writingExchanges
  }

  status (): CaptureStatus {
    return { ...this.counts }
  }

  /** Feeds an event the channels service observed: a local post wakes the reader; direct exchanges are gathered. */
  observe ({ event, origin }: ObservedEvent): void {
    if (!this.started) return
    if (isMessage(event.type)) {
      if (origin === 'local') this.wake()
      return
    }
    if (event.type === EventTypes.DIRECT_REQUEST_SEND && origin === 'local' && event.source.endsWith(`@${this.init.self}`)) {
      this.requests.set(event.id, event)
      if (this.requests.size > MAX_PENDING_REQUESTS) this.requests.delete(this.requests.keys().next().value ?? '')
      return
    }
    if (event.type === EventTypes.DIRECT_RESPONSE_SEND && event.replyTo != null) this.exchange(event)
  }

  /** There may be posts past the position: read them (unless a read is under way, which will see them). */
  wake (): void {
    if (!this.started || this.running != null) return
    this.running = this.run()
  }

  private async run (): Promise<void> {
    try {
      // let the other services finish starting (the channels service joins communities in its afterStart)
      await Promise.resolve()
      while (this.started) {
        const entries = this.init.postLog().after(this.counts.position, POST_BATCH)
        if (entries.length === 0) break
        const { complete, held } = await this.capturePosts(entries.map(e => envelopeToJson(e.envelope)))
        // a batch cut short by a stop (communities left while it ran) is read again at the next start
        if (!complete && !this.started) break
        this.counts.position = entries.at(-1)?.position ?? this.counts.position
        this.init.postLog().savePosition(CAPTURE_READER, this.counts.position)
        this.mayBeHeld = held > 0
        this.retryMs = RETRY_MIN_MS
      }
    } catch (err) {
      this.counts.failures++
      this.mayBeHeld = true
      this.init.log('capture of posts after position %d failed, retrying in %d ms: %s', this.counts.position, this.retryMs, (err as Error).message)
      if (this.started) {
        this.retry = setTimeout(() => { this.retry = undefined; this.wake() }, this.retryMs)
        this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS)
      }
    } finally {
      this.running = undefined
    }
  }

  /**
   * Writes a batch of posts, one memory write per community, leaving out those memory
   * already holds. `complete` is false when posts of a community not joined were passed over.
   */
  private async capturePosts (events: EventJson[]): Promise<{ complete: boolean, held: number }> {
    const joined = new Set(this.init.target.communities())
    const byCommunity = new Map<string, Array<{ id: string, input: RememberInput }>>()
    let complete = true
    let heldCount = 0
    for (const event of events) {
      const input = this.postInput(event)
      if (input == null) {
        this.counts.skipped++
        continue
      }
      if (!joined.has(event.community)) {
        complete = false
        this.counts.skipped++
        continue
      }
      const list = byCommunity.get(event.community) ?? []
      list.push({ id: input.id ?? '', input })
      byCommunity.set(event.community, list)
    }
    for (const [community, list] of byCommunity) {
      const held = this.mayBeHeld ? new Set(await this.init.target.held(community, list.map(p => p.id))) : new Set<string>()
      const fresh = list.filter(p => !held.has(p.id))
      this.counts.skipped += list.length - fresh.length
      heldCount += list.length - fresh.length
      // written a slice at a time: a write of the node's agents or users waits behind one
      // short commit of captured posts, never behind a whole batch of them
      for (let i = 0; i < fresh.length; i += CAPTURE_WRITE) {
        const slice = fresh.slice(i, i + CAPTURE_WRITE)
        const { rejected } = await this.init.target.rememberMany(community, slice.map(p => p.input))
        for (const r of rejected) this.init.log('post %s was not captured: %s', slice[r.index]?.id, r.error)
        this.counts.rejected += rejected.length
        this.counts.posts += slice.length - rejected.length
      }
    }
    return { complete, held: heldCount }
  }

  private postInput (event: EventJson): RememberInput | undefined {
    const text = (event.payload as { text?: unknown } | null)?.text
    if (!isMessage(event.type) || typeof text !== 'string' || !this.captures(event.community, 'messages')) return undefined
    return {
      id: `msg-${event.id}`,
      kind: CHANNEL_MESSAGE,
      text: this.clip(text),
      agent: event.source,
      createdAt: event.timestamp,
      metadata: { channel: event.channel, messageId: event.id, type: event.type, ...(event.thread == null ? {} : { thread: event.thread }), ...(event.replyTo == null ? {} : { replyTo: event.replyTo }) }
    }
  }

  private exchange (response: EventJson): void {
    const request = this.requests.get(response.replyTo ?? '')
    if (request == null) return
    this.requests.delete(request.id)
    if (!this.captures(response.community, 'directs')) return
    if (this.exchanges.length >= MAX_PENDING_EXCHANGES) {
      this.counts.exchangesDropped++
      this.init.log('direct exchange %s not captured: %d exchanges are waiting to be written', request.id, this.exchanges.length)
      return
    }
    this.exchanges.push({
      community: response.community,
      input: {
        id: `dx-${request.id}`,
        kind: DIRECT_EXCHANGE,
        text: this.clip(`Q (${request.source} to ${request.target ?? '?'}): ${textOf(request.payload)}\nA (${response.source}): ${textOf(response.payload)}`),
        agent: request.source,
        createdAt: response.timestamp,
        metadata: { from: request.source, to: response.source, requestId: request.id, ...(request.thread == null ? {} : { thread: request.thread }) }
      }
    })
    this.writingExchanges ??= this.writeExchanges()
  }

  private async writeExchanges (): Promise<void> {
    try {
      while (this.exchanges.length > 0) {
        const batch = this.exchanges
        this.exchanges = []
        for (const community of new Set(batch.map(e => e.community))) {
          const inputs = batch.filter(e => e.community === community).map(e => e.input)
          try {
            const { rejected } = await this.init.target.rememberMany(community, inputs)
            this.counts.exchanges += inputs.length - rejected.length
            for (const r of rejected) this.init.log('direct exchange %s was not captured: %s', inputs[r.index]?.id, r.error)
          } catch (err) {
            this.counts.failures++
            this.init.log('capture of %d direct exchanges failed: %s', inputs.length, (err as Error).message)
          }
        }
      }
    } finally {
      this.writingExchanges = undefined
    }
  }

  private captures (community: string, what: 'messages' | 'directs'): boolean {
    const capture = this.init.settings.capture
    return (capture[community] ?? capture['*'] ?? []).includes(what)
  }

  private clip (text: string): string {
    const max = this.init.settings.maxTextBytes
    if (Buffer.byteLength(text) <= max) return text
    return Buffer.from(text).subarray(0, max - 3).toString('utf8').replace(/\uFFFD$/, '') + '…'
  }
}

function isMessage (type: string): boolean {
  return type === EventTypes.CHANNEL_MESSAGE_POST || type === EventTypes.CHANNEL_MESSAGE_REPLY
}

function textOf (payload: unknown): string {
  const p = payload as { text?: unknown } | null
  return typeof p?.text === 'string' ? p.text : JSON.stringify(payload)
}
