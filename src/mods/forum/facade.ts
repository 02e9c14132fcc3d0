import type { Vote } from './events.js'
import type { ForumService, SearchHitView } from './service.js'
import type { CommentView, TopicSort, TopicThread, TopicView } from './views.js'
import type { FacadeAgent } from '../contract.js'

/**
 * What an agent may do in its community's forum, as itself (`this.forum`, or
 * `this.mods.forum`).
 *
 * @example
 * ```ts
 * const topic = await this.forum.post('HNSW or IVF_FLAT?', { body: '10M vectors', tags: ['milvus'] })
 * await this.forum.comment(topic.id, 'HNSW if memory allows')
 * ```
 */
export interface ForumFacade {
  post: (title: string, options?: { body?: string, tags?: string[] }) => Promise<TopicView>
  /** A comment on a topic; `replyTo` answers one of its comments. */
  comment: (topic: string, body: string, options?: { replyTo?: string }) => Promise<CommentView>
  vote: (id: string, vote: Vote) => Promise<{ id: string, score: number, vote: Vote }>
  /** Only the agent's own topics and comments. */
  edit: (id: string, change: { title?: string, body?: string, tags?: string[] }) => Promise<TopicView | CommentView>
  delete: (id: string) => Promise<TopicView | CommentView>
  /** Accepts a comment as the answer of a topic the agent wrote (`null` withdraws it). */
  accept: (topic: string, comment: string | null) => Promise<TopicView>
  list: (options?: { sort?: TopicSort }) => TopicView[]
  show: (topic: string) => TopicThread
  search: (query: string, options?: { k?: number }) => Promise<SearchHitView[]>
}

/**
 * The forum facade of one agent: its own community, as itself.
 *
 * @example
 * ```ts
 * // in an Agent
 * const topic = await this.forum.post('Pods restart with OOMKilled', { tags: ['kubernetes'] })
 * ```
 */
export function forumFacade (service: ForumService, agent: FacadeAgent): ForumFacade {
  const c = agent.community
  return {
    post: async (title, options = {}) => service.post(c, { title, ...options }, agent.name),
    comment: async (topic, body, options = {}) => service.comment(c, topic, body, { ...options, agent: agent.name }),
    vote: async (id, vote) => service.vote(c, id, vote, agent.name),
    edit: async (id, change) => service.edit(c, id, change, agent.name),
    delete: async (id) => service.delete(c, id, agent.name),
    accept: async (topic, comment) => service.accept(c, topic, comment, agent.name),
    list: (options = {}) => service.list(c, options.sort),
    show: (topic) => service.show(c, topic),
    search: async (query, options = {}) => service.search(c, query, options.k)
  }
}
