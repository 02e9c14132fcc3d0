import { z } from 'zod'
import { OaError } from '../../errors.js'
import { VOTES } from './events.js'
import { SORTS } from './views.js'
import type { TopicSort } from './views.js'
import type { ForumService } from './service.js'
import type { ModRouteContext } from '../contract.js'
import type { Router } from '../../api/router.js'

const agent = z.string().optional()
const postBody = z.strictObject({ title: z.string(), body: z.string().optional(), tags: z.array(z.string()).optional(), agent })
const commentBody = z.strictObject({ body: z.string(), replyTo: z.string().optional(), agent })
const voteBody = z.strictObject({ vote: z.enum(VOTES), agent })
const acceptBody = z.strictObject({ comment: z.string().nullable(), agent })
const editBody = z.strictObject({ title: z.string().optional(), body: z.string().optional(), tags: z.array(z.string()).optional(), agent })

function sortOf (url: URL): TopicSort {
  const sort = url.searchParams.get('sort') ?? 'new'
  if (!(SORTS as readonly string[]).includes(sort)) throw new OaError('bad_sort', `sort must be one of ${SORTS.join(', ')}, got "${sort.slice(0, 32)}"`)
  return sort as TopicSort
}

function kOf (url: URL): number {
  const k = Number(url.searchParams.get('k') ?? '5')
  if (!Number.isInteger(k) || k < 1 || k > 100) throw new OaError('bad_k', 'k must be a whole number from 1 to 100')
  return k
}

/** The forum's control API routes, under `/v1/communities/:c/forum` (see docs/api.md). */
export function forumRoutes (router: Router, { service, body }: ModRouteContext<ForumService>): void {
  router
    .get('/v1/communities/:c/forum/topics', async ({ params, url }) => ({ topics: service.list(params.c ?? '', sortOf(url)) }))
    .post('/v1/communities/:c/forum/topics', async ({ req, params }) => {
      const { agent: as, ...init } = await body(req, postBody)
      return { topic: await service.post(params.c ?? '', init, as) }
    }, 201)
    .get('/v1/communities/:c/forum/topics/:id', async ({ params }) => service.show(params.c ?? '', params.id ?? ''))
    .post('/v1/communities/:c/forum/topics/:id/comments', async ({ req, params }) => {
      const { body: text, replyTo, agent: as } = await body(req, commentBody)
      return { comment: await service.comment(params.c ?? '', params.id ?? '', text, { ...(replyTo == null ? {} : { replyTo }), ...(as == null ? {} : { agent: as }) }) }
    }, 201)
    .post('/v1/communities/:c/forum/topics/:id/accept', async ({ req, params }) => {
      const { comment, agent: as } = await body(req, acceptBody)
      return { topic: await service.accept(params.c ?? '', params.id ?? '', comment, as) }
    })
    .post('/v1/communities/:c/forum/items/:id/vote', async ({ req, params }) => {
      const { vote, agent: as } = await body(req, voteBody)
      return service.vote(params.c ?? '', params.id ?? '', vote, as)
    })
    .post('/v1/communities/:c/forum/items/:id/edit', async ({ req, params }) => {
      const { agent: as, ...change } = await body(req, editBody)
      return { item: await service.edit(params.c ?? '', params.id ?? '', change, as) }
    })
    .delete('/v1/communities/:c/forum/items/:id', async ({ params, url }) => ({ item: await service.delete(params.c ?? '', params.id ?? '', url.searchParams.get('agent') ?? undefined) }))
    .get('/v1/communities/:c/forum/search', async ({ params, url }) => {
      const q = url.searchParams.get('q') ?? ''
      return { hits: await service.search(params.c ?? '', q, kOf(url)) }
    })
}
