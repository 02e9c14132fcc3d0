/**
 * The polls mod: create a poll, vote, close it. Each operation is a signed event on the
 * community's `polls` channel, replicated by gossip and backfilled to late joiners with
 * the channel's history. Load it with
 *
 *   mods:
 *     polls: { module: ./examples/mods/polls/index.js }
 */
import { defineMod, z } from 'oa-node'
import { MAX_OPTIONS, POLL_EVENTS } from './events.js'
import { PollsService } from './service.js'
import { pollCommands } from './cli.js'

const createBody = z.strictObject({ question: z.string().min(1), options: z.array(z.string().min(1)).min(1), agent: z.string().optional() })
const voteBody = z.strictObject({ option: z.number().int(), agent: z.string().optional() })
const closeBody = z.strictObject({ agent: z.string().optional() })

export default defineMod({
  name: 'polls',
  description: 'polls in a community: create one, vote, close it',
  needs: ['channels'],
  config: {
    schema: z.strictObject({
      maxOptions: z.number().int().min(2).max(MAX_OPTIONS).optional(),
      channel: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/).optional()
    }),
    defaults: { maxOptions: 10, channel: 'polls' }
  },
  events: POLL_EVENTS,
  topics: ['oa/1/<community>/ch/polls (the channels mod\'s topic of the polls channel)'],
  service: {
    create: ({ config }) => (components) => new PollsService(components, config)
  },
  routes: (router, { service, body }) => {
    router
      .get('/v1/communities/:c/polls', async ({ params }) => ({ polls: service.list(params.c) }))
      .post('/v1/communities/:c/polls', async ({ req, params }) => {
        const { question, options, agent } = await body(req, createBody)
        return { poll: await service.create(params.c, question, options, agent) }
      }, 201)
      .get('/v1/communities/:c/polls/:id', async ({ params }) => ({ poll: service.get(params.c, params.id) }))
      .post('/v1/communities/:c/polls/:id/votes', async ({ req, params }) => {
        const { option, agent } = await body(req, voteBody)
        return { poll: await service.vote(params.c, params.id, option, agent) }
      })
      .post('/v1/communities/:c/polls/:id/close', async ({ req, params }) => {
        const { agent } = await body(req, closeBody)
        return { poll: await service.close(params.c, params.id, agent) }
      })
  },
  // what an agent gets as this.mods.polls: its own community, as itself
  agent: (service, agent) => ({
    list: async () => service.list(agent.community),
    get: async (id) => service.get(agent.community, id),
    create: async (question, options) => service.create(agent.community, question, options, agent.name),
    vote: async (id, option) => service.vote(agent.community, id, option, agent.name),
    close: async (id) => service.close(agent.community, id, agent.name)
  }),
  status: (service) => service.status(),
  cli: pollCommands
})
