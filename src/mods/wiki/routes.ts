import { z } from 'zod'
import { MAX_BODY_BYTES, PROTECTION_LEVELS, SLUG } from './events.js'
import { WikiError } from './errors.js'
import type { WikiService } from './service.js'
import type { Router } from '../../api/router.js'
import type { ModRouteContext } from '../contract.js'

const agent = z.string().optional()
const body = z.string().min(1).refine(b => Buffer.byteLength(b) <= MAX_BODY_BYTES, `a page body is at most ${MAX_BODY_BYTES} bytes`)
const summary = z.string().max(500).optional()
const createBody = z.strictObject({ slug: z.string().regex(SLUG, 'a slug is 1-100 characters of a-z, 0-9 and "-"'), body, summary, agent })
const editBody = z.strictObject({ body, summary, agent, mode: z.enum(['auto', 'direct', 'propose']).optional() })
const decideBody = z.strictObject({ agent, reason: z.string().max(500).optional() })
const revertBody = z.strictObject({ revision: z.union([z.number().int().min(1), z.string().min(1).max(64)]), agent })
const protectBody = z.strictObject({ level: z.enum(PROTECTION_LEVELS), agent })

/** `?revision=` is a number in the history (from 1) or a revision id. */
function revisionParam (url: URL): number | string | undefined {
  const value = url.searchParams.get('revision')
  if (value == null || value === '') return undefined
  if (/^\d+$/.test(value)) return Number(value)
  if (value.length > 64) throw new WikiError('bad_revision', 'revision is a number from 1 or a revision id')
  return value
}

/** The wiki's routes (see docs/api.md#wiki). */
export function wikiRoutes (router: Router, { service, body: read }: ModRouteContext<WikiService>): void {
  router
    .get('/v1/communities/:c/wiki', async ({ params }) => ({ pages: service.list(params.c ?? '') }))
    .post('/v1/communities/:c/wiki', async ({ req, params }) => {
      const input = await read(req, createBody)
      return { page: await service.create(params.c ?? '', input.slug, input.body, input) }
    }, 201)
    .get('/v1/communities/:c/wiki/:slug', async ({ params, url }) => ({ page: service.show(params.c ?? '', params.slug ?? '', revisionParam(url)) }))
    .get('/v1/communities/:c/wiki/:slug/history', async ({ params }) => ({ revisions: service.history(params.c ?? '', params.slug ?? '') }))
    .get('/v1/communities/:c/wiki/:slug/proposals', async ({ params }) => ({ proposals: service.proposals(params.c ?? '', params.slug ?? '') }))
    .post('/v1/communities/:c/wiki/:slug/edits', async ({ req, params }) => {
      const input = await read(req, editBody)
      return await service.edit(params.c ?? '', params.slug ?? '', input.body, input)
    }, 201)
    .post('/v1/communities/:c/wiki/:slug/revert', async ({ req, params }) => {
      const input = await read(req, revertBody)
      return await service.revert(params.c ?? '', params.slug ?? '', input.revision, input)
    }, 201)
    .post('/v1/communities/:c/wiki/:slug/protection', async ({ req, params }) => {
      const input = await read(req, protectBody)
      return { page: await service.protect(params.c ?? '', params.slug ?? '', input.level, input) }
    })
    .get('/v1/communities/:c/wiki-proposals', async ({ params }) => ({ proposals: service.proposals(params.c ?? '') }))
    .post('/v1/communities/:c/wiki-proposals/:id/accept', async ({ req, params }) => {
      const input = await read(req, decideBody)
      return await service.accept(params.c ?? '', params.id ?? '', input)
    }, 201)
    .post('/v1/communities/:c/wiki-proposals/:id/reject', async ({ req, params }) => {
      const input = await read(req, decideBody)
      return { proposal: await service.reject(params.c ?? '', params.id ?? '', input) }
    })
}
