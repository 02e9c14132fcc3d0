import { z } from 'zod'
import { EndpointError } from '../../endpoints/errors.js'
import { Agent } from '../agent.js'
import { parseOptions } from '../options.js'
import { KIND } from '../../memory/filter.js'
import { defaultMinSimilarity } from '../../memory/hit.js'
import { CAPTURED_KINDS, CHANNEL_MESSAGE } from '../../memory/kinds.js'
import { overlap, terms } from '../../text/terms.js'
import { topicBodyOf, topicTitleOf } from './forum-thread.js'
import type { AgentInit } from '../agent.js'
import type { TopicView } from '../../mods/forum/views.js'
import type { ChannelMessage } from '../message.js'
import type { DirectRequest } from '../../channels/direct.js'
import type { ScoreKind } from '../../memory/types.js'
import type { MemoryHit } from '../../memory/hit.js'

const kind = z.string().regex(KIND, { error: issue => `${JSON.stringify(issue.input)} is not a kind (lowercase letters, digits and "_", e.g. expert_knowledge)` })

const expertOptions = z.strictObject({
  /** Subject area, used in the model's instructions (default: the capabilities). */
  domain: z.string().optional(),
  /** Most sources an answer cites. */
  maxSources: z.number().int().min(1).max(20).optional(),
  /** Kinds of records the expert draws on (default: every kind but NOT_RECALLED). */
  recallKinds: z.array(kind).min(1).max(32).optional(),
  /** Cosine similarity below which a record is not a source (default per embedder: 0.2 lexical, 0.3 neural; defaultMinSimilarity). */
  minSimilarity: z.number().min(0).max(1).optional(),
  /**
   * Whose records the expert draws on: `community` (default: every member's) or `own`
   * (those written as this agent: its knowledge), plus the kinds `shared` names from
   * anyone.
   */
  scope: z.enum(['own', 'community']).optional(),
  /** With scope `own`: kinds the expert also draws on from the whole community (e.g. problem_solutions). */
  shared: z.array(kind).max(32).optional()
})

/**
 * Kinds an expert leaves out unless `recallKinds` names them: what capture wrote (posts,
 * direct exchanges, and `message` from earlier versions) and `collaboration_history`,
 * the coordinator's log of who was asked (and the kind of exchanges captured by earlier
 * versions). They echo questions; they do not answer them.
 */
export const NOT_RECALLED: readonly string[] = [...CAPTURED_KINDS, 'collaboration_history']

/** Something an answer drew on, its score labelled as a memory hit's is (`term_overlap` without memory). */
export interface AnswerSource {
  kind: string
  text: string
  score: number
  scoreKind: ScoreKind | 'term_overlap'
  /** Cosine similarity to the question (every source found in memory has one). */
  similarity?: number
  id?: string
}

/** What an expert answers to a direct request. */
export interface ExpertAnswer {
  agent: string
  text: string
  /** `llm` when a language model wrote it, `retrieval` when it is built from sources only. */
  mode: 'llm' | 'retrieval'
  sources: AnswerSource[]
}

const SNIPPET = 240

/** Text of a direct request payload: `{ text }`, `{ question }` or a bare string. */
export function questionOf (payload: unknown): string {
  if (typeof payload === 'string') return payload
  const p = (payload ?? {}) as { text?: unknown, question?: unknown }
  if (typeof p.text === 'string') return p.text
  if (typeof p.question === 'string') return p.question
  return ''
}

/**
 * Built-in `expert`: answers direct requests and mentions in its domain. With a
 * language model it answers from its instructions and the sources it finds; without
 * one it answers in retrieval-only mode, from the sources alone, and says so. Its
 * sources are records of the community's memory above a relevance floor, captured
 * posts and exchanges left out unless `recallKinds` asks for them; with none it says it
 * has no knowledge about the question.
 *
 * @example
 * ```yaml
 * agents:
 *   - name: python_expert
 *     type: expert
 *     capabilities: [python, asyncio]
 *     description: Answers Python questions
 *     instructions: You are a senior Python engineer. Answer briefly.
 *     options: { maxSources: 5, minSimilarity: 0.2, recallKinds: [expert_knowledge, problem_solutions] }
 * ```
 */
/** Answers an expert keeps for the forum topics of their questions. */
const ANSWERS_KEPT = 32

export class ExpertAgent extends Agent {
  override readonly kind = 'expert'
  private readonly settings: z.infer<typeof expertOptions>
  /** Answers given to direct requests lately, by the title of the forum topic their question would be. */
  private readonly answered = new Map<string, ExpertAnswer>()

  constructor (init: AgentInit) {
    super(init)
    this.settings = parseOptions(init.name, expertOptions, init.options)
  }

  override async onDirect (request: DirectRequest, _options: { signal: AbortSignal }): Promise<ExpertAnswer> {
    const question = questionOf(request.payload)
    if (question.trim() === '') throw new Error('the request has no question (send { text })')
    const answer = await this.answer(question)
    this.rememberAnswer(question, answer)
    return answer
  }

  /**
   * A forum topic titled by a question this expert answered lately (a coordinator posts
   * its merged answer so): the expert comments with its own answer, once, so that readers
   * can vote on it.
   */
  override async onForumTopic (topic: TopicView): Promise<void> {
    const answer = this.answered.get(topic.title)
    if (answer == null) return
    this.answered.delete(topic.title)
    await this.forum.comment(topic.id, topicBodyOf(answer.text))
  }

  /** Keeps the latest answers by their topic title, the oldest dropped past ANSWERS_KEPT. */
  private rememberAnswer (question: string, answer: ExpertAnswer): void {
    const title = topicTitleOf(question)
    if (title === '') return
    this.answered.delete(title)
    this.answered.set(title, answer)
    if (this.answered.size > ANSWERS_KEPT) this.answered.delete(this.answered.keys().next().value ?? '')
  }

  override async onMention (message: ChannelMessage): Promise<void> {
    if (message.metadata.agentKind != null) return
    const answer = await this.answer(message.text)
    await this.reply(message, answer.text, { metadata: { mode: answer.mode, sources: answer.sources } })
  }

  /**
   * Answers a question, with a model when one is configured and works, from sources
   * otherwise. With no source above the relevance floor the answer says that the expert
   * has no knowledge about it in its community (a model is told it has no sources).
   *
   * @example
   * ```ts
   * const { text, mode, sources } = await expert.answer('How should I choose HNSW M?')
   * ```
   */
  async answer (question: string): Promise<ExpertAnswer> {
    const sources = await this.retrieve(question)
    if (this.llm.online) {
      try {
        const text = await this.llm.complete([
          { role: 'system', content: this.systemPrompt(sources) },
          { role: 'user', content: question }
        ])
        return { agent: this.id, text: sources.length === 0 ? `${this.noKnowledge()}\n\n${text}` : text, mode: 'llm', sources }
      } catch (err) {
        this.log.warn(`language model failed, answering retrieval-only: ${(err as Error).message}`)
        return { agent: this.id, text: this.retrievalAnswer(sources, `language model unavailable: ${(err as Error).message}`), mode: 'retrieval', sources }
      }
    }
    return { agent: this.id, text: this.retrievalAnswer(sources, 'no language model configured'), mode: 'retrieval', sources }
  }

  /**
   * The records in the expert's scope closest to a question: every member's (scope
   * `community`), or its own plus the `shared` kinds from anyone (scope `own`), merged
   * by similarity.
   */
  private async scopedRecall (question: string, k: number): Promise<MemoryHit[]> {
    const kinds = this.settings.recallKinds
    const base = {
      k,
      mode: 'hybrid' as const,
      minSimilarity: this.settings.minSimilarity ?? defaultMinSimilarity(this.mods.memory?.embedder),
      ...(kinds == null ? { excludeKinds: [...NOT_RECALLED] } : { kinds })
    }
    if (this.settings.scope !== 'own') return this.recall(question, base)
    const shared = this.settings.shared ?? []
    const [own, others] = await Promise.all([
      this.recall(question, { ...base, agent: this.id }),
      shared.length === 0 ? Promise.resolve([]) : this.recall(question, { k, mode: 'hybrid', minSimilarity: base.minSimilarity, kinds: shared })
    ])
    const byId = new Map<string, MemoryHit>()
    for (const hit of [...own, ...others]) if (!byId.has(hit.id)) byId.set(hit.id, hit)
    return [...byId.values()].sort((a, b) => (b.similarity ?? 0) - (a.similarity ?? 0)).slice(0, k)
  }

  /**
   * What the expert knows about a question: the community's shared memory (hybrid
   * search over `recallKinds`, or every kind but NOT_RECALLED; records below
   * `minSimilarity` are not sources) when the node runs one and its store and embedder
   * answer, otherwise the messages this node holds in the expert's channels, ranked by
   * shared terms.
   */
  protected async retrieve (question: string): Promise<AnswerSource[]> {
    const k = this.settings.maxSources ?? 5
    if (this.hasMemory) {
      try {
        const hits = await this.scopedRecall(question, k + 2)
        // the question itself may already be in memory (captured from the channel): not a
        // source; nor is a stored solution to this very question (it would cite itself)
        return hits.filter(h => h.text.trim() !== question.trim() && !(h.kind === 'problem_solutions' && typeof h.metadata.question === 'string' && h.metadata.question.trim() === question.trim())).slice(0, k).map(h => ({
          kind: h.kind,
          text: h.text,
          score: Math.round(h.score * 10000) / 10000,
          scoreKind: h.scoreKind,
          ...(h.similarity == null ? {} : { similarity: Math.round(h.similarity * 1000) / 1000 }),
          id: h.id
        }))
      } catch (err) {
        // Milvus or the embedder is away (the node logs the outage once): answer from the channels' messages
        if (!(err instanceof EndpointError)) throw err
      }
    }
    const query = terms(question)
    const scored: AnswerSource[] = []
    for (const channel of new Set([...this.channels, 'general'])) {
      let messages
      try {
        messages = this.mods.channels?.history(channel, { limit: 1000 }) ?? []
      } catch {
        continue
      }
      for (const m of messages) {
        const text = m.text
        if (text === '' || text === question) continue
        const { score } = overlap(query, text)
        if (score > 0) scored.push({ kind: CHANNEL_MESSAGE, text, score: Math.round(score * 1000) / 1000, scoreKind: 'term_overlap', id: m.id })
      }
    }
    return scored.sort((a, b) => b.score - a.score).slice(0, k)
  }

  /** What the expert says when nothing it found is a source. */
  protected noKnowledge (): string {
    return `I have no knowledge about this in ${this.community}.`
  }

  protected systemPrompt (sources: AnswerSource[]): string {
    const domain = this.settings.domain ?? this.capabilities.join(', ')
    const base = this.instructions !== '' ? this.instructions : `You are ${this.name}, an expert in ${domain}. ${this.description}`.trim()
    if (sources.length === 0) {
      return `${base}\nYou have no sources: the shared memory of ${this.community} holds nothing relevant to this question, and your reply is shown after the words "${this.noKnowledge()}". ` +
        'Do not make up facts about the community. Answer from general knowledge only if you are sure, and say that it is general knowledge; otherwise say you do not know.'
    }
    return `${base}\nAnswer concisely and correctly. Use these notes from the community when they help:\n${sources.map((s, i) => `[${i + 1}] (${s.kind}) ${s.text}`).join('\n')}`
  }

  protected retrievalAnswer (sources: AnswerSource[], why: string): string {
    const label = `[retrieval-only: ${why}]`
    if (sources.length === 0) return `${label} ${this.noKnowledge()}`
    const lines = sources.map(s => `- ${s.text.length > SNIPPET ? `${s.text.slice(0, SNIPPET - 1)}…` : s.text}`)
    return `${label} What ${this.community} knows that matches (${this.name}):\n${lines.join('\n')}`
  }
}
