import { WebSocket } from 'ws'
import { isOaError } from '../../errors.js'
import { CLOSE_CODES, MAX_ACTIONS_IN_FLIGHT, MAX_AGENTS_PER_CONNECTION, MAX_BUFFERED_BYTES, REMOTE_AGENT_SUBPROTOCOL } from './constants.js'
import { FrameError } from './errors.js'
import { ACTION_PARAMS, actionHead, answerFrame, registerFrame, unregisterFrame } from './frames.js'
import { perform } from './actions.js'
import { RemoteAgent } from './remote-agent.js'
import type { AgentRuntime } from '../../agents/runtime.js'
import type { FrameRejection } from './errors.js'
import type { ActionName, RegisterFrame, ServerFrame } from './frames.js'
import type { AgentTokenScope } from './tokens.js'
import type { RawData } from 'ws'
import type { z } from 'zod'

/** What a connection needs of its node. */
export interface ConnectionContext {
  runtime: AgentRuntime
  peerId: string
  version: string
  /** The communities the node joined, first the default one. */
  communities: () => string[]
  directTimeoutMs: number
  /** Counts a refused frame. */
  rejected: (reason: FrameRejection) => void
  log: (format: string, ...args: unknown[]) => void
}

interface Hosted {
  agent: RemoteAgent
  detach: () => Promise<void>
}

const FRAME_TYPES = ['register', 'unregister', 'action', 'answer']

/** The issues of a failed parse, each named by its path: `agent.name: ...; params.text: ...`. */
function describe (what: string, error: z.ZodError): string {
  return `${what}: ${error.issues.map(i => {
    const path = i.path.join('.')
    const keys = i.code === 'unrecognized_keys' ? ` (${i.keys.join(', ')})` : ''
    return `${path === '' ? '(frame)' : path}: ${i.message}${keys}`
  }).join('; ')}`
}

function parse<T> (schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value)
  if (!result.success) throw new FrameError('bad_frame', describe(what, result.error))
  return result.data
}

/**
 * One client of `WS /v1/agents/connect`: the agents it registered, their actions, and the
 * answers to their direct requests. Every frame is validated; a refused one gets an error
 * frame naming the problem and is counted, and the connection goes on. When the
 * connection closes, its agents' pending requests fail at once and the agents go offline.
 */
export class RemoteConnection {
  readonly scope: AgentTokenScope | undefined
  private readonly ws: WebSocket
  private readonly ctx: ConnectionContext
  private readonly hosted = new Map<string, Hosted>()
  /** Names being registered, so two frames cannot register one name. */
  private readonly registering = new Set<string>()
  private inFlight = 0
  private closed = false
  private closing?: Promise<void>

  constructor (ws: WebSocket, scope: AgentTokenScope | undefined, ctx: ConnectionContext) {
    this.ws = ws
    this.scope = scope
    this.ctx = ctx
    ws.on('message', (data: RawData, isBinary: boolean) => { this.onMessage(data, isBinary) })
    ws.on('close', () => { void this.close() })
    ws.on('error', (err) => {
      // over maxPayload, ws closes with 1009 itself; anything else ends the connection now
      if ((err as Error & { code?: string }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') ctx.rejected('too_large')
      else ws.terminate()
    })
    this.send({
      type: 'welcome',
      protocol: REMOTE_AGENT_SUBPROTOCOL,
      peerId: ctx.peerId,
      version: ctx.version,
      communities: ctx.communities(),
      scope: scope == null ? null : { agent: scope.agent, ...(scope.community == null ? {} : { community: scope.community }) }
    })
  }

  /** The names of the agents this connection runs. */
  agents (): string[] {
    return [...this.hosted.keys()]
  }

  /** Sends a frame; false when the connection is closed. A client that reads too slowly is disconnected. */
  send (frame: ServerFrame): boolean {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) return false
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.ws.close(CLOSE_CODES.tooSlow, 'client too slow: it does not read what the node sends')
      return false
    }
    this.ws.send(JSON.stringify(frame))
    return true
  }

  /** Closes the connection with a code and reason (its agents go offline). */
  end (code: number, reason: string): void {
    this.ws.close(code, reason)
  }

  /** Fails the agents' pending requests and takes the agents off the node. */
  async close (): Promise<void> {
    this.closed = true
    this.closing ??= (async () => {
      const hosted = [...this.hosted.values()]
      this.hosted.clear()
      for (const { agent } of hosted) agent.gone(`${agent.name} disconnected from its node before answering`)
      await Promise.all(hosted.map(async ({ detach }) => detach()))
    })()
    await this.closing
  }

  private refuse (id: string | null, err: FrameError): void {
    this.ctx.rejected(err.reason)
    this.ctx.log('refused a frame: %s', err.message)
    this.send({ type: 'error', id, error: { code: err.code, message: err.message } })
  }

  private fail (id: string, err: unknown): void {
    if (err instanceof FrameError) {
      this.refuse(id, err)
      return
    }
    const code = isOaError(err) ? err.code : 'failed'
    this.send({ type: 'error', id, error: { code, message: (err as Error).message } })
  }

  private onMessage (data: RawData, isBinary: boolean): void {
    let id: string | null = null
    try {
      if (isBinary) throw new FrameError('bad_frame', 'frames are JSON text messages, not binary ones')
      let frame: unknown
      try {
        frame = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'))
      } catch (err) {
        throw new FrameError('not_json', `the frame is not JSON: ${(err as Error).message}`)
      }
      if (frame == null || typeof frame !== 'object' || Array.isArray(frame)) throw new FrameError('bad_frame', `a frame is a JSON object with a "type" (${FRAME_TYPES.join(', ')})`)
      const fields = frame as Record<string, unknown>
      if (typeof fields.id === 'string') id = fields.id
      switch (fields.type) {
        case 'register': this.run(id, async () => this.register(parse(registerFrame, frame, 'register'))); break
        case 'unregister': {
          const { agent } = parse(unregisterFrame, frame, 'unregister')
          this.run(id, async () => this.unregister(agent))
          break
        }
        case 'action': this.action(frame); break
        case 'answer': this.answer(frame); break
        default: throw new FrameError('bad_frame', `unknown frame type ${JSON.stringify(fields.type) ?? 'undefined'}: a client sends ${FRAME_TYPES.join(', ')}`)
      }
    } catch (err) {
      if (err instanceof FrameError) this.refuse(id, err)
      else this.send({ type: 'error', id, error: { code: 'failed', message: (err as Error).message } })
    }
  }

  /** Runs the work of a frame with an id, answering result or error, within the bound on work in flight. */
  private run (id: string | null, work: () => Promise<unknown>): void {
    if (id == null) throw new FrameError('bad_frame', 'the frame has no "id"')
    if (this.inFlight >= MAX_ACTIONS_IN_FLIGHT) throw new FrameError('busy', `${MAX_ACTIONS_IN_FLIGHT} frames of this connection are being carried out; wait for their results`)
    this.inFlight++
    work().then(
      result => { this.send({ type: 'result', id, result: result ?? null }) },
      (err: unknown) => { this.fail(id, err) }
    ).finally(() => { this.inFlight-- })
  }

  private agentOf (name: string): RemoteAgent {
    const hosted = this.hosted.get(name)
    if (hosted == null) throw new FrameError('not_registered', `agent "${name}" is not registered on this connection: send a register frame for it first`)
    return hosted.agent
  }

  private async register ({ agent: card }: RegisterFrame): Promise<unknown> {
    const community = card.community ?? this.scope?.community ?? this.ctx.communities()[0]
    if (this.scope != null) {
      if (card.name !== this.scope.agent) throw new FrameError('token_scope', `this connection's token is for agent "${this.scope.agent}" only; it cannot register "${card.name}"`, 'not_allowed')
      if (this.scope.community != null && community !== this.scope.community) throw new FrameError('token_scope', `this connection's token is for community "${this.scope.community}" only; it cannot register ${card.name} in "${community ?? ''}"`, 'not_allowed')
    }
    if (community == null) throw new FrameError('bad_frame', 'register: agent.community: the node joined no community; name one', 'not_member')
    if (!this.ctx.communities().includes(community)) {
      throw new FrameError('bad_frame', `register: this node has not joined community "${community}" (joined: ${this.ctx.communities().join(', ') || 'none'})`, 'not_member')
    }
    if (this.hosted.has(card.name) || this.registering.has(card.name)) throw new FrameError('bad_frame', `agent "${card.name}" is registered on this connection already`, 'name_taken')
    if (this.hosted.size + this.registering.size >= MAX_AGENTS_PER_CONNECTION) throw new FrameError('busy', `a connection registers at most ${MAX_AGENTS_PER_CONNECTION} agents`, 'too_many_agents')
    const agent = new RemoteAgent({ ...card, community }, { send: frame => this.send(frame), directTimeoutMs: this.ctx.directTimeoutMs })
    this.registering.add(card.name)
    let detach: () => Promise<void>
    try {
      detach = await this.ctx.runtime.attach(agent, { via: 'remote' })
    } finally {
      this.registering.delete(card.name)
    }
    if (this.closed) {
      agent.gone(`${agent.name} disconnected from its node`)
      await detach()
      throw new Error('the connection closed while the agent was registered')
    }
    this.hosted.set(card.name, { agent, detach })
    return { agent: { id: agent.id, name: agent.name, community, kind: agent.kind, capabilities: agent.capabilities, channels: agent.channels, description: agent.description } }
  }

  private async unregister (name: string): Promise<unknown> {
    const hosted = this.hosted.get(name)
    if (hosted == null) throw new FrameError('not_registered', `agent "${name}" is not registered on this connection`)
    this.hosted.delete(name)
    hosted.agent.gone(`${name} was unregistered before answering`)
    await hosted.detach()
    return { unregistered: name }
  }

  private action (frame: unknown): void {
    const head = parse(actionHead, frame, 'action')
    const action: ActionName = head.action
    const params = parse(ACTION_PARAMS[action] as z.ZodType, head.params ?? {}, `action ${action}: params`)
    const agent = this.agentOf(head.agent)
    this.run(head.id, async () => perform(agent, action, params as never))
  }

  private answer (frame: unknown): void {
    const parsed = parse(answerFrame, frame, 'answer')
    const outcome = 'error' in parsed ? { error: parsed.error.message } : { payload: parsed.payload }
    for (const { agent } of this.hosted.values()) {
      if (agent.answer(parsed.request, outcome)) return
    }
    throw new FrameError('unknown_request', `no direct request "${parsed.request}" waits for an answer on this connection (answered or cancelled already, or never sent)`)
  }
}

