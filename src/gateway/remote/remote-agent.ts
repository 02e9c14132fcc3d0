import { Agent } from '../../agents/agent.js'
import { RemoteAgentGoneError } from './errors.js'
import type { AgentInit } from '../../agents/agent.js'
import type { ChannelMessage } from '../../agents/message.js'
import type { DirectRequest } from '../../channels/direct.js'
import type { WikiProposalEvent } from '../../mods/wiki/service.js'
import type { ServerFrame } from './frames.js'

/** How a remote agent reaches the process that runs it: the frames of its connection. */
export interface RemoteLink {
  /** Sends a frame to the client; false when the connection is gone. */
  send: (frame: ServerFrame) => boolean
  /** How long the node waits for the answer to a direct request, in ms. */
  directTimeoutMs: number
}

interface Pending {
  resolve: (payload: unknown) => void
  reject: (err: Error) => void
}

/**
 * An agent run by another process, connected over the remote-agent gateway. The node hosts
 * it like its own (facades, card, presence); its handlers forward each event to the
 * process as a frame, and a direct request waits for the process's `answer` frame.
 */
export class RemoteAgent extends Agent {
  override readonly kind: string
  private readonly link: RemoteLink
  private readonly pending = new Map<string, Pending>()
  private goneReason?: string

  constructor (init: AgentInit & { kind?: string }, link: RemoteLink) {
    super(init)
    this.kind = init.kind ?? 'custom'
    this.link = link
  }

  override async onChannelPost (message: ChannelMessage): Promise<void> {
    this.link.send({ type: 'event', agent: this.name, event: 'channel_post', data: message })
  }

  override async onMention (message: ChannelMessage): Promise<void> {
    this.link.send({ type: 'event', agent: this.name, event: 'mention', data: message })
  }

  override async onWikiProposal (proposal: WikiProposalEvent): Promise<void> {
    this.link.send({ type: 'event', agent: this.name, event: 'wiki_proposal', data: proposal })
  }

  override async onStop (): Promise<void> {
    this.link.send({ type: 'event', agent: this.name, event: 'stop', data: null })
  }

  override async onDirect (request: DirectRequest, { signal }: { signal: AbortSignal }): Promise<unknown> {
    if (this.goneReason != null) throw new RemoteAgentGoneError(this.goneReason)
    return new Promise((resolve, reject) => {
      const done = (): void => {
        this.pending.delete(request.id)
        signal.removeEventListener('abort', onAbort)
      }
      const onAbort = (): void => {
        done()
        this.link.send({ type: 'cancel', agent: this.name, request: request.id, reason: 'the node stopped waiting for the answer' })
        reject(signal.reason instanceof Error ? signal.reason : new Error('the request was given up'))
      }
      this.pending.set(request.id, {
        resolve: (payload) => { done(); resolve(payload) },
        reject: (err) => { done(); reject(err) }
      })
      signal.addEventListener('abort', onAbort, { once: true })
      const sent = this.link.send({
        type: 'request',
        agent: this.name,
        timeoutMs: this.link.directTimeoutMs,
        request: { id: request.id, from: request.from, to: request.to, community: request.community, payload: request.payload, event: request.event }
      })
      if (!sent) this.pending.get(request.id)?.reject(new RemoteAgentGoneError(`${this.name} is not connected to its node`))
    })
  }

  /** Settles a pending request with the process's answer; false when none is pending under that id. */
  answer (requestId: string, outcome: { payload: unknown } | { error: string }): boolean {
    const pending = this.pending.get(requestId)
    if (pending == null) return false
    if ('error' in outcome) pending.reject(new Error(outcome.error))
    else pending.resolve(outcome.payload ?? null)
    return true
  }

  /** The process is gone: every pending request fails now, and so does any that still arrives. */
  gone (reason: string): void {
    this.goneReason = reason
    for (const pending of [...this.pending.values()]) pending.reject(new RemoteAgentGoneError(reason))
  }
}
