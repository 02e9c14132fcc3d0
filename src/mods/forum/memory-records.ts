import { FORUM_POST } from '../../memory/kinds.js'
import { isOaError } from '../../errors.js'
import type { Memory } from '../../memory/service.js'
import type { TopicView } from './views.js'

/** Bytes of a topic's text written into its memory record (memory's own limit is larger). */
const RECORD_TEXT_BYTES = 16_384

/** The id of a topic's memory record. */
export function recordIdOf (topic: string): string {
  return `forum:${topic}`
}

/** A topic as its record holds it, with the text of the answer its author accepted. */
export interface TopicRecord {
  topic: TopicView
  answer?: string
}

function textOf ({ topic, answer }: TopicRecord): string {
  const text = [topic.title, topic.tags.length === 0 ? '' : `tags: ${topic.tags.join(', ')}`, topic.body, answer == null ? '' : `Accepted answer: ${answer}`].filter(t => t !== '').join('\n\n')
  const bytes = Buffer.from(text)
  return bytes.byteLength <= RECORD_TEXT_BYTES ? text : bytes.subarray(0, RECORD_TEXT_BYTES).toString('utf8').replace(/\uFFFD+$/, '')
}

/**
 * Keeps each topic this node's agents wrote as a memory record of kind `forum_post`
 * (id `forum:<topic id>`, with the answer its author accepted): written when the topic
 * is, updated on an edit or a new accepted answer, tombstoned on a delete. Memory replicates it to the community, so `forum search` finds topics by
 * meaning on every node. Writes of one topic are applied in turn, each from the
 * topic's state at that time, so the record ends as the topic does.
 *
 * @example
 * ```ts
 * const records = new ForumRecords(memory, log)
 * records.sync(fold.topic(id))
 * ```
 */
export class ForumRecords {
  private readonly memory: Memory
  private readonly warn: (message: string) => void
  private readonly chains = new Map<string, Promise<void>>()

  constructor (memory: Memory, warn: (message: string) => void) {
    this.memory = memory
    this.warn = warn
  }

  /** Brings a topic's record in line with it; `current` reads the topic when the write runs. */
  sync (community: string, id: string, current: () => TopicRecord | undefined): Promise<void> {
    const key = `${community}|${id}`
    const next = (this.chains.get(key) ?? Promise.resolve()).then(async () => { await this.write(community, id, current()) }).catch((err: unknown) => {
      this.warn(`memory record of forum topic ${id} not written: ${(err as Error).message}`)
    })
    this.chains.set(key, next)
    void next.finally(() => { if (this.chains.get(key) === next) this.chains.delete(key) })
    return next
  }

  /** Resolves once every pending write is done. */
  async settled (): Promise<void> {
    await Promise.all([...this.chains.values()])
  }

  private async write (community: string, id: string, current: TopicRecord | undefined): Promise<void> {
    if (current == null) return
    const { topic } = current
    const recordId = recordIdOf(id)
    if (topic.deleted) {
      try {
        await this.memory.forget(community, recordId)
      } catch (err) {
        if (!(isOaError(err) && err.code === 'not_found')) throw err
      }
      return
    }
    await this.memory.remember(community, {
      id: recordId,
      kind: FORUM_POST,
      text: textOf(current),
      agent: topic.author,
      createdAt: topic.createdAt,
      metadata: { topic: id, title: topic.title, tags: topic.tags, ...(topic.accepted == null ? {} : { accepted: topic.accepted }) }
    })
  }

  /** Searches the community's forum records by meaning; the topic ids of the hits, best first, with their scores. */
  async search (community: string, query: string, k: number): Promise<Array<{ topic: string, score: number, scoreKind: string, similarity?: number }>> {
    const hits = await this.memory.recall(community, query, { kinds: [FORUM_POST], k })
    const out = []
    for (const hit of hits) {
      const topic = (hit.record.metadata as { topic?: unknown } | undefined)?.topic
      if (typeof topic !== 'string') continue
      out.push({ topic, score: hit.score, scoreKind: hit.scoreKind, ...(hit.similarity == null ? {} : { similarity: hit.similarity }) })
    }
    return out
  }
}
