import { z } from 'zod'
import { EndpointError } from '../../endpoints/errors.js'
import { Agent } from '../agent.js'
import { parseOptions } from '../options.js'
import { defaultMinSimilarity, embedderKind } from '../../memory/hit.js'
import { terms, termsMatch } from '../../text/terms.js'
import { CAPABILITY } from '../../mods/social/events.js'
import { topicBodyOf, topicTagsOf, topicTitleOf } from './forum-thread.js'
import { CardVectors, MEANING_ROUTE_DEFAULTS, rankByMeaning } from './meaning-routing.js'
import { SAME_PROBLEM_DEFAULTS, sameProblem } from './same-problem.js'
import type { AgentInit } from '../agent.js'
import type { ChannelMessage } from '../message.js'
import type { DiscoveredAgent } from '../../discovery/card.js'

const coordinatorOptions = z.strictObject({
  /** Most experts asked per question. */
  maxExperts: z.number().int().min(1).max(10).optional(),
  /** Time the experts have to answer, in ms. */
  deadlineMs: z.number().int().min(500).max(600_000).optional(),
  /** Cosine similarity from which a stored solution to the same problem is reused instead of asking again (default per embedder, SAME_PROBLEM_DEFAULTS). */
  reuseThreshold: z.number().min(0).max(1).optional(),
  /** Relevance floor: a stored solution whose question is less similar than this is never reused (default per embedder, defaultMinSimilarity). */
  minSimilarity: z.number().min(-1).max(1).optional(),
  /** Routing by meaning: an expert is asked when the question's similarity to its card reaches this (default: chosen per embedder, MEANING_ROUTE_DEFAULTS). */
  routeFloor: z.number().min(-1).max(1).optional(),
  /** ...and is within this much of the best expert's (default per embedder). */
  routeMargin: z.number().min(0).max(2).optional()
})

/** Why an expert was chosen for a question. */
export interface Routing {
  expert: string
  id: string
  /** `match + TRUST_WEIGHT × trust`: what experts are ranked by. */
  score: number
  /** The capability match: 3 per capability the question names, 1 per other word of the description it uses. */
  match: number
  /** The expert's trust for the capabilities matched (the highest, relative to the most trusted agent: 0 to 1); 0 without the social mod. */
  trust: number
  /** Question terms that matched its capabilities or description (by meaning: the capabilities the question names). */
  matched: string[]
  online: boolean
  /** Routed by meaning: the question's similarity to the expert's card (see rankByMeaning). */
  similarity?: number
}

/** What full trust (the most trusted agent for a matched capability) adds to an expert's match: less than one capability named (3), more than a description word (1). */
export const TRUST_WEIGHT = 2

/** An agent's trust for a capability, 0 to 1 (1: the most trusted for it). */
export type TrustLookup = (agentId: string, capability: string) => number

/** The ids of the memory records an expert's answer cites. */
function sourceIds (answer: ExpertOutcome): string[] {
  return (answer.sources ?? []).flatMap(s => {
    const id = (s as { id?: unknown } | null)?.id
    return typeof id === 'string' && id !== '' ? [id] : []
  })
}

/** The answer of one expert, or why there is none. */
export interface ExpertOutcome {
  expert: string
  id: string
  answered: boolean
  text?: string
  mode?: string
  sources?: unknown[]
  reason?: string
}

/**
 * Ranks experts for a question: 3 points for each capability named in the question,
 * 1 for each other word of its description that the question uses, plus
 * `TRUST_WEIGHT` times the expert's trust for the capabilities it matched (the highest
 * of them, 0 to 1), when `trust` is given; ties go by agent id.
 *
 * @example
 * ```ts
 * rankExperts('asyncio task hangs on Kubernetes', cards)  // [{ expert: 'python_expert', matched: ['asyncio'], ... }, ...]
 * rankExperts('tune milvus', cards, (id, capability) => social.trust(capability).find(t => t.agent === id)?.relative ?? 0)
 * ```
 */
export function rankExperts (question: string, experts: DiscoveredAgent[], trust?: TrustLookup): Routing[] {
  const query = terms(question)
  return experts.map((card) => {
    const matched = new Set<string>()
    let match = 0
    let trusted = 0
    for (const capability of card.capabilities) {
      const words = terms(capability)
      if (words.length > 0 && words.every(w => query.some(q => termsMatch(q, w)))) {
        match += 3
        matched.add(capability)
        trusted = Math.max(trusted, Math.min(1, Math.max(0, trust?.(card.id, capability) ?? 0)))
      }
    }
    for (const word of new Set(terms(card.description))) {
      if (word.length < 4 || [...matched].some(m => termsMatch(m, word))) continue
      if (query.some(q => termsMatch(q, word))) {
        match += 1
        matched.add(word)
      }
    }
    return { expert: card.name, id: card.id, score: match + TRUST_WEIGHT * trusted, match, trust: trusted, matched: [...matched], online: card.online }
  }).filter(r => r.match > 0).sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/**
 * Built-in `coordinator`: takes the questions users post in its channels, finds the
 * experts of the community through the DHT, asks the best matches in parallel with a
 * deadline, and replies in the question's thread with the merged answer, naming who
 * answered and who did not. Any node may run one; posts by agents (its own and other
 * coordinators') are never taken for questions.
 *
 * @example
 * ```yaml
 * agents:
 *   - name: coordinator
 *     type: coordinator
 *     channels: [general]
 *     options: { maxExperts: 3, deadlineMs: 20000 }
 * ```
 */
export class CoordinatorAgent extends Agent {
  override readonly kind = 'coordinator'
  private readonly settings: Required<Omit<z.infer<typeof coordinatorOptions>, 'routeFloor' | 'routeMargin' | 'reuseThreshold' | 'minSimilarity'>> & Pick<z.infer<typeof coordinatorOptions>, 'routeFloor' | 'routeMargin' | 'reuseThreshold' | 'minSimilarity'>
  /** Vectors of single words, for telling look-alike questions apart (see sameProblem). */
  private readonly wordVectors = new Map<string, number[]>()
  private wordsOf?: string
  private readonly cardVectors = new CardVectors(async texts => {
    const memory = this.mods.memory
    if (memory == null) throw new Error('the node runs no memory')
    return memory.embed(texts)
  })

  constructor (init: AgentInit) {
    super(init)
    const options = parseOptions(init.name, coordinatorOptions, init.options)
    this.settings = { maxExperts: options.maxExperts ?? 3, deadlineMs: options.deadlineMs ?? 20_000, reuseThreshold: options.reuseThreshold, minSimilarity: options.minSimilarity, routeFloor: options.routeFloor, routeMargin: options.routeMargin }
  }

  override async onChannelPost (message: ChannelMessage): Promise<void> {
    if (message.type !== 'channel.message.post') return
    await this.take(message)
  }

  override async onMention (message: ChannelMessage): Promise<void> {
    // a mention in a channel it also listens in arrives as a post already
    if (message.type === 'channel.message.post' && this.channels.includes(message.channel)) return
    await this.take(message)
  }

  private async take (message: ChannelMessage): Promise<void> {
    if (message.metadata.agentKind != null || message.source === this.id || message.text.trim() === '') return
    await this.coordinate(message)
  }

  /** Routes one question and replies in its thread. */
  async coordinate (message: ChannelMessage): Promise<void> {
    const reused = await this.storedSolution(message.text)
    if (reused != null) {
      const from = typeof reused.record.metadata.experts === 'string' ? reused.record.metadata.experts : 'earlier answers'
      const text = `Found a stored solution (similarity ${reused.score.toFixed(2)}, from ${from}), reused without asking the experts again:\n\n${reused.record.text}`
      const stored = await this.store('collaboration_history', `Question: ${message.text}\nAnswered from the stored solution ${reused.record.id}.`, { thread: message.thread ?? message.id, reused: reused.record.id })
      await this.reply(message, text, { metadata: { routing: [], answered: [], missing: [], reused: { id: reused.record.id, score: reused.score, scoreKind: 'similarity', text: reused.record.text }, stored } })
      return
    }
    const experts = (await this.findAgents({ includeOffline: true })).filter(a => a.kind === 'expert')
    const routing = await this.route(message.text, experts)
    if (routing.length === 0) {
      const known = experts.map(e => `${e.name} (${e.capabilities.join(', ')})`).join('; ') || 'none found'
      await this.reply(message, `No expert in ${this.community} matches this question. Experts: ${known}.`, { metadata: { routing: [], answered: [], missing: [] } })
      return
    }
    const outcomes = await this.ask(message, routing)
    const answered = outcomes.filter(o => o.answered)
    const missing = outcomes.filter(o => !o.answered)
    const { text: merged, cited } = await this.merge(message.text, answered)
    const text = `${this.routingLine(routing)}\n\n${merged}${missing.length > 0 ? `\n\nNo answer from ${missing.map(m => `${m.expert} (${m.reason ?? 'no answer'})`).join(', ')}.` : ''}`
    const thread = message.thread ?? message.id
    // an answer with no sources says the expert knows nothing: not a solution to reuse
    const grounded = answered.filter(a => (a.sources?.length ?? 0) > 0)
    const solution = grounded.length === answered.length ? merged : this.labelled(grounded)
    const stored = [
      ...await this.store('collaboration_history', `Question: ${message.text}\nRouted to ${routing.map(r => `${r.expert} (${r.matched.join(', ')})`).join(', ')}. Answered: ${answered.map(a => a.expert).join(', ') || 'none'}.${missing.length > 0 ? ` No answer from ${missing.map(m => m.expert).join(', ')}.` : ''}`, { thread, experts: routing.map(r => r.expert).join(', ') }),
      ...(grounded.length > 0 ? await this.store('problem_solutions', `Problem: ${message.text}\nSolution: ${solution}`, { thread, question: message.text, experts: grounded.map(a => a.expert).join(', ') }) : [])
    ]
    const forumTopic = answered.length > 0 ? await this.postTopic(message.text, merged, routing.flatMap(r => r.matched)) : undefined
    await this.reply(message, text, {
      metadata: { routing, answered: answered.map(a => ({ expert: a.expert, id: a.id, mode: a.mode, text: a.text, sources: a.sources })), missing: missing.map(m => ({ expert: m.expert, reason: m.reason })), stored, ...(cited == null ? {} : { cited }), ...(forumTopic == null ? {} : { forumTopic }) }
    })
  }

  /**
   * Posts the merged answer as a forum topic titled by the question, tagged with the
   * capabilities it matched, when the forum mod runs: the experts that answered comment
   * on it with their own answers, which readers vote on (votes feed the social mod's
   * trust). Undefined, and the reply goes on, when the forum is off or refuses it.
   */
  private async postTopic (question: string, merged: string, matched: string[]): Promise<string | undefined> {
    const forum = this.mods.forum
    const title = topicTitleOf(question)
    if (forum == null || title === '') return undefined
    try {
      return (await forum.post(title, { body: topicBodyOf(merged), tags: topicTagsOf(matched) })).id
    } catch (err) {
      this.log.warn(`the answer was not posted to the forum: ${(err as Error).message}`)
      return undefined
    }
  }

  /** Trust from the social mod, each capability's ranking computed once per question; undefined when the mod is off. */
  private trustLookup (): TrustLookup | undefined {
    const social = this.social
    if (social == null) return undefined
    const rankings = new Map<string, Map<string, number>>()
    return (agentId, capability) => {
      const normal = capability.trim().toLowerCase()
      // a capability no endorsement can name has no trust
      if (!CAPABILITY.test(normal)) return 0
      let ranking = rankings.get(normal)
      if (ranking == null) {
        ranking = new Map(social.trust(normal).map(t => [t.agent, t.relative]))
        rankings.set(normal, ranking)
      }
      return ranking.get(agentId) ?? 0
    }
  }

  /**
   * A stored solution to a question close enough to reuse, when the node has memory:
   * candidates come from a hybrid search, and the new question is compared with each
   * stored question (not with the whole solution, whose length would dilute the match);
   * its cosine similarity must reach both `reuseThreshold` and the relevance floor.
   */
  private async storedSolution (question: string): Promise<{ record: { id: string, text: string, metadata: Record<string, unknown> }, score: number } | undefined> {
    const memory = this.mods.memory
    if (memory?.enabled !== true) return undefined
    try {
      const candidates = await this.recall(question, { kinds: ['problem_solutions'], k: 5, mode: 'hybrid' })
      const defaults = SAME_PROBLEM_DEFAULTS[embedderKind(memory.embedder)]
      const settings = { ...defaults, threshold: Math.max(this.settings.reuseThreshold ?? defaults.threshold, this.settings.minSimilarity ?? defaultMinSimilarity(memory.embedder)) }
      let best: { record: { id: string, text: string, metadata: Record<string, unknown> }, score: number } | undefined
      for (const hit of candidates) {
        const stored = hit.metadata.question
        if (typeof stored !== 'string') continue
        const verdict = await sameProblem(question, stored, async texts => this.embedCached(texts), settings)
        if (verdict.contrast != null) this.log.debug(`not reusing ${hit.id}: another problem (${[...verdict.contrast.ours, ...verdict.contrast.theirs].join(', ')})`)
        if (verdict.same && (best == null || verdict.similarity > best.score)) best = { record: hit, score: verdict.similarity }
      }
      return best
    } catch (err) {
      // an outage of Milvus or the embedder is logged once by the node, not at every question
      if (!(err instanceof EndpointError)) this.log.warn(`looking up stored solutions failed: ${(err as Error).message}`)
      return undefined
    }
  }

  /** Vectors of texts, single words kept (the 4,096 used last, per embedder) since questions share many. */
  private async embedCached (texts: string[]): Promise<number[][]> {
    const memory = this.mods.memory
    if (memory == null) throw new Error('the node runs no memory')
    if (memory.embedder !== this.wordsOf) {
      this.wordVectors.clear()
      this.wordsOf = memory.embedder
    }
    const got = new Map<string, number[]>()
    for (const t of texts) {
      const held = t.includes(' ') ? undefined : this.wordVectors.get(t)
      if (held != null) got.set(t, held)
    }
    const missing = [...new Set(texts.filter(t => !got.has(t)))]
    const fresh = await memory.embed(missing)
    missing.forEach((t, i) => { got.set(t, fresh[i] ?? []) })
    for (const t of new Set(texts)) {
      if (t.includes(' ')) continue
      // used now: the last to be dropped
      this.wordVectors.delete(t)
      this.wordVectors.set(t, got.get(t) ?? [])
    }
    while (this.wordVectors.size > 4096) this.wordVectors.delete(this.wordVectors.keys().next().value ?? '')
    return texts.map(t => got.get(t) ?? [])
  }

  /** Writes to the community's memory when there is one; returns what was stored. */
  private async store (kind: string, text: string, metadata: Record<string, unknown>): Promise<Array<{ id: string, kind: string }>> {
    if (!this.hasMemory) return []
    try {
      const record = await this.remember({ kind, text, metadata })
      return [{ id: record.id, kind }]
    } catch (err) {
      if (!(err instanceof EndpointError)) this.log.warn(`storing ${kind} failed: ${(err as Error).message}`)
      return []
    }
  }

  private async ask (message: ChannelMessage, routing: Routing[]): Promise<ExpertOutcome[]> {
    const signal = AbortSignal.timeout(this.settings.deadlineMs)
    return Promise.all(routing.map(async (r): Promise<ExpertOutcome> => {
      if (!r.online) return { expert: r.expert, id: r.id, answered: false, reason: 'its node is offline' }
      try {
        const payload = await this.send(r.id, { text: message.text }, { signal, thread: message.thread ?? message.id }) as { text?: unknown, mode?: unknown, sources?: unknown }
        if (typeof payload.text !== 'string') return { expert: r.expert, id: r.id, answered: false, reason: 'answered without text' }
        return { expert: r.expert, id: r.id, answered: true, text: payload.text, mode: typeof payload.mode === 'string' ? payload.mode : undefined, sources: Array.isArray(payload.sources) ? payload.sources : undefined }
      } catch (err) {
        const reason = signal.aborted ? `no answer within ${this.settings.deadlineMs / 1000}s` : (err as Error).message
        return { expert: r.expert, id: r.id, answered: false, reason }
      }
    }))
  }

  /**
   * The experts to ask: by meaning when the node has memory (the question against each
   * card's description, capabilities and example questions), by the words of the cards
   * otherwise, or when embedding fails.
   */
  private async route (question: string, experts: DiscoveredAgent[]): Promise<Routing[]> {
    const memory = this.mods.memory
    if (memory?.enabled === true && experts.length > 0) {
      try {
        const embedder = memory.embedder
        const defaults = MEANING_ROUTE_DEFAULTS[embedderKind(embedder)]
        const settings = { floor: this.settings.routeFloor ?? defaults.floor, margin: this.settings.routeMargin ?? defaults.margin, maxExperts: this.settings.maxExperts }
        const [vector] = await memory.embed([question])
        if (vector != null) {
          const ranked = rankByMeaning(vector, question, experts, await this.cardVectors.of(experts, embedder), settings, this.trustLookup())
          return ranked.map(r => ({ expert: r.expert, id: r.id, score: r.score, match: r.matched.length, trust: r.trust, matched: r.matched, online: r.online, similarity: r.similarity }))
        }
      } catch (err) {
        if (!(err instanceof EndpointError)) this.log.warn(`routing by meaning failed, routing by words: ${(err as Error).message}`)
      }
    }
    return rankExperts(question, experts, this.trustLookup()).slice(0, this.settings.maxExperts)
  }

  private routingLine (routing: Routing[]): string {
    return `Asked ${routing.map(r => r.similarity != null
      ? `${r.expert} (similarity ${r.similarity.toFixed(2)}${r.matched.length > 0 ? `; names ${r.matched.join(', ')}` : ''})`
      : `${r.expert} (matched: ${r.matched.join(', ')})`).join(' and ')}.`
  }

  private labelled (answers: ExpertOutcome[]): string {
    return answers.map(a => `[${a.expert}] ${a.text ?? ''}`).join('\n\n')
  }

  /**
   * One answer from several: with a language model, the model's answer written from the
   * experts' answers, citing the memory records it used by id (`cited`: the ids it
   * named that are sources of those answers, listed under the answer); the labelled
   * answers otherwise.
   */
  private async merge (question: string, answers: ExpertOutcome[]): Promise<{ text: string, cited?: string[] }> {
    if (answers.length === 0) return { text: 'None of the experts answered.' }
    if (answers.length === 1 || !this.llm.online) return { text: this.labelled(answers) }
    const ids = answers.flatMap(a => sourceIds(a))
    try {
      const summary = await this.llm.complete([
        { role: 'system', content: `${this.instructions !== '' ? this.instructions : 'You merge answers from several experts into one short, correct answer. Keep facts, drop repetition, name which expert said what when they differ.'} Cite the memory records you use by their ids in square brackets, as in [${ids[0] ?? 'py-003'}]; cite only ids listed with the answers.` },
        { role: 'user', content: `Question: ${question}\n\n${answers.map(a => `[${a.expert}] ${a.text ?? ''}${sourceIds(a).length > 0 ? `\n(records: ${sourceIds(a).map(id => `[${id}]`).join(', ')})` : ''}`).join('\n\n')}` }
      ])
      const cited = [...new Set([...summary.matchAll(/\[([^\]\s]+)\]/g)].map(m => m[1] ?? ''))].filter(id => ids.includes(id))
      return { text: `${summary}\n\n(merged from ${answers.map(a => a.expert).join(', ')}${cited.length > 0 ? `; records cited: ${cited.join(', ')}` : ''})`, cited }
    } catch (err) {
      this.log.warn(`language model failed, posting the answers unmerged: ${(err as Error).message}`)
      return { text: this.labelled(answers) }
    }
  }
}
