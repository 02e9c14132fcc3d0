import { ClientFactory, DefaultAgentCardResolver, JsonRpcTransportFactory, RestTransportFactory } from '@a2a-js/sdk/client'
import { Role, TaskState } from '@a2a-js/sdk'
import { Agent } from '../../agents/agent.js'
import { normalizeCapability } from '../../discovery/keys.js'
import { AGENT_NAME } from '../../wire/names.js'
import { boundedFetch } from './bounded-fetch.js'
import { A2ACardError, A2ARequestError } from './errors.js'
import { dataPart, textOf, textPart } from './parts.js'
import type { DirectRequest } from '../../channels/direct.js'
import type { AgentCard, Message, Task } from '@a2a-js/sdk'
import type { Client } from '@a2a-js/sdk/client'

const CARD_TIMEOUT_MS = 10_000
const MAX_CAPABILITIES = 64
/** The largest card read from an external agent. */
const MAX_CARD_BYTES = 1 << 20
/** The largest answer read from an external agent. */
const MAX_ANSWER_BYTES = 8 << 20

/** What an external agent answers to a direct request: the expert shape, and where it came from. */
export interface A2AAnswer {
  agent: string
  text: string
  mode: 'a2a'
  sources: []
  a2a: { url: string, taskId?: string, state?: string }
}

/**
 * The URL of an agent's card: the URL itself when it names a `.json` file, else `<url>/.well-known/agent-card.json`.
 *
 * @example
 * ```ts
 * cardUrlOf('http://127.0.0.1:9000/')   // http://127.0.0.1:9000/.well-known/agent-card.json
 * ```
 */
export function cardUrlOf (url: string): string {
  return url.endsWith('.json') ? url : `${url.replace(/\/+$/, '')}/.well-known/agent-card.json`
}

/**
 * A card's name as an agent name on this node: letters, digits, `_` and `-`, at most 64.
 *
 * @example
 * ```ts
 * agentNameOf('Weather Bot')   // Weather_Bot
 * ```
 */
export function agentNameOf (cardName: string): string {
  const name = cardName.trim().replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^-+/, '').slice(0, 64)
  return AGENT_NAME.test(name) ? name : 'a2a_agent'
}

/**
 * A card's skills as capabilities: each skill's id and tags, lowercased, without repeats.
 *
 * @example
 * ```ts
 * capabilitiesOf(card)   // skills [{ id: 'weather', tags: ['forecast'] }] → ['weather', 'forecast']
 * ```
 */
export function capabilitiesOf (card: AgentCard): string[] {
  const words = card.skills.flatMap(s => [s.id, ...s.tags]).map(normalizeCapability).filter(w => w !== '' && w.length <= 64)
  return [...new Set(words)].slice(0, MAX_CAPABILITIES)
}

function bearerFetch (token: string | undefined): typeof fetch {
  if (token == null) return fetch
  return async (input, init) => {
    const headers = new Headers(init?.headers)
    headers.set('authorization', `Bearer ${token}`)
    return fetch(input, { ...init, headers })
  }
}

/**
 * Fetches and reads an external agent's A2A card, and makes the SDK's client for it
 * (JSON-RPC or HTTP+JSON, as the card offers), sending `token` as a bearer token.
 *
 * @example
 * ```ts
 * const { card, client } = await connectA2A('http://127.0.0.1:9000')
 * ```
 */
export async function connectA2A (url: string, token?: string, signal?: AbortSignal): Promise<{ card: AgentCard, client: Client }> {
  const fetchImpl = boundedFetch(bearerFetch(token), MAX_ANSWER_BYTES)
  const cardFetch = boundedFetch(bearerFetch(token), MAX_CARD_BYTES)
  const timed: typeof fetch = async (input, init) => cardFetch(input, { ...init, signal: AbortSignal.any([AbortSignal.timeout(CARD_TIMEOUT_MS), ...(signal == null ? [] : [signal])]) })
  const where = cardUrlOf(url)
  let card: AgentCard
  try {
    card = await new DefaultAgentCardResolver({ fetchImpl: timed }).resolve(where, where)
  } catch (err) {
    throw new A2ACardError(`cannot read the A2A agent card at ${where}: ${(err as Error).message}`, { cause: err })
  }
  if (typeof card.name !== 'string' || card.name.trim() === '' || !Array.isArray(card.supportedInterfaces) || card.supportedInterfaces.length === 0) {
    throw new A2ACardError(`${where} is not an A2A 1.0 agent card (it needs a name and supportedInterfaces)`)
  }
  try {
    // the SDK declares these options as classes it does not export: a literal is what it takes
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    const transports = [new JsonRpcTransportFactory({ fetchImpl }), new RestTransportFactory({ fetchImpl })]
    const factory = new ClientFactory({ transports, cardResolver: new DefaultAgentCardResolver({ fetchImpl: timed }) })
    return { card, client: await factory.createFromAgentCard(card) }
  } catch (err) {
    throw new A2ACardError(`cannot talk to the agent of ${where}: ${(err as Error).message}`, { cause: err })
  }
}

function answerOf (result: Message | Task): { text: string, taskId?: string, state?: string } {
  if (!('status' in result)) return { text: textOf(result.parts) }
  const state = TaskState[result.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED]
  const artifacts = result.artifacts.map(a => textOf(a.parts)).filter(t => t !== '').join('\n')
  const said = textOf(result.status?.message?.parts ?? [])
  const failed = [TaskState.TASK_STATE_FAILED, TaskState.TASK_STATE_REJECTED, TaskState.TASK_STATE_CANCELED].includes(result.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED)
  if (failed) throw new A2ARequestError(`the A2A agent's task ${result.id} ended ${state}${said === '' ? '' : `: ${said}`}`)
  return { text: artifacts !== '' ? artifacts : said, taskId: result.id, state }
}

/**
 * An external A2A agent, hosted on this node as an agent of one of its communities: its
 * card's skills are its capabilities (provided on the DHT like any agent's), it is an
 * `expert` so coordinators route to it, and each direct request to it is sent to the
 * agent as an A2A message with the SDK's client; its answer (a message, or a task's
 * artifacts) is the reply.
 *
 * @example
 * ```ts
 * const { card, client } = await connectA2A('http://127.0.0.1:9000')
 * await node.libp2p.services.agents.add(new A2ARemoteAgent({ name: 'weather', community: 'town', url, card, client }))
 * ```
 */
export class A2ARemoteAgent extends Agent {
  override readonly kind = 'expert'
  readonly url: string
  readonly card: AgentCard
  private readonly client: Client

  constructor (init: { name: string, community: string, url: string, card: AgentCard, client: Client }) {
    super({ name: init.name, community: init.community, capabilities: capabilitiesOf(init.card), description: init.card.description, channels: ['general'] })
    this.url = init.url
    this.card = init.card
    this.client = init.client
  }

  override async onDirect (request: DirectRequest, { signal }: { signal: AbortSignal }): Promise<A2AAnswer> {
    const payload = request.payload
    const text = typeof payload === 'string' ? payload : (payload as { text?: unknown, question?: unknown } | null)?.text ?? (payload as { question?: unknown } | null)?.question
    const message: Message = {
      messageId: crypto.randomUUID(),
      contextId: '',
      taskId: '',
      role: Role.ROLE_USER,
      parts: [typeof text === 'string' ? textPart(text) : dataPart(payload)],
      metadata: { from: request.from, community: request.community },
      extensions: [],
      referenceTaskIds: []
    }
    let result: Message | Task
    try {
      result = await this.client.sendMessage({ tenant: '', message, configuration: undefined, metadata: undefined }, { signal })
    } catch (err) {
      throw new A2ARequestError(`the A2A agent at ${this.url} did not answer: ${(err as Error).message}`, { cause: err })
    }
    const answer = answerOf(result)
    return { agent: this.id, text: answer.text, mode: 'a2a', sources: [], a2a: { url: this.url, ...(answer.taskId == null ? {} : { taskId: answer.taskId, state: answer.state }) } }
  }
}
