import { recordJson } from '../../api/routes/memory.js'
import { MemoryNotConfiguredError } from '../../agents/errors.js'
import { OaError } from '../../errors.js'
import type { ChannelMessage } from '../../agents/message.js'
import type { ActionName, ActionParams } from './frames.js'
import type { RemoteAgent } from './remote-agent.js'

type Performer<A extends ActionName> = (agent: RemoteAgent, params: ActionParams<A>) => Promise<unknown>

/** A message of the agent's own community, as reply and react name it: never another community's. */
function messageOf (agent: RemoteAgent, ref: { id: string, channel: string }): ChannelMessage {
  return { id: ref.id, channel: ref.channel, community: agent.community, type: '', source: '', text: '', mentions: [], metadata: {}, timestamp: 0, event: undefined as never }
}

function facade<T> (value: T | undefined, mod: string): T {
  if (value == null) throw new OaError('mod_off', `the ${mod} mod is off on this node`, { status: 503 })
  return value
}

/**
 * What each action does, as the agent: the same calls a built-in Agent makes, through
 * its facades, so the community's rules and the node's limits apply to it alike.
 */
export const PERFORMERS: { [A in ActionName]: Performer<A> } = {
  post: async (agent, p) => ({ message: await agent.post(p.channel, p.text, { metadata: p.metadata }) }),
  reply: async (agent, p) => ({ message: await agent.reply(messageOf(agent, p.message), p.text, { metadata: p.metadata }) }),
  react: async (agent, p) => {
    await agent.react(messageOf(agent, p.message), p.reaction)
    return {}
  },
  history: async (agent, p) => ({ messages: facade(agent.mods.channels, 'channels').history(p.channel, { limit: p.limit, before: p.before }) }),
  send: async (agent, p) => ({ payload: (await agent.send(p.to, p.payload, { timeoutMs: p.timeoutMs, thread: p.thread })) ?? null }),
  find_agents: async (agent, p) => ({ agents: await agent.findAgents({ capability: p.capability, community: p.community, includeOffline: p.includeOffline }) }),
  remember: async (agent, p) => ({ record: recordJson(await agent.remember(p)) }),
  recall: async (agent, p) => {
    const { query, ...options } = p
    return { hits: await agent.recall(query, options) }
  },
  forget: async (agent, p) => {
    const memory = agent.mods.memory
    if (memory?.enabled !== true) throw new MemoryNotConfiguredError()
    await memory.forget(p.id)
    return { forgotten: p.id }
  },
  'wiki.list': async (agent) => ({ pages: agent.wiki.list() }),
  'wiki.show': async (agent, p) => ({ page: agent.wiki.show(p.slug, p.revision) }),
  'wiki.history': async (agent, p) => ({ revisions: agent.wiki.history(p.slug) }),
  'wiki.proposals': async (agent, p) => ({ proposals: agent.wiki.proposals(p.slug) }),
  'wiki.create': async (agent, p) => ({ page: await agent.wiki.create(p.slug, p.body, { summary: p.summary }) }),
  'wiki.edit': async (agent, p) => await agent.wiki.edit(p.slug, p.body, { summary: p.summary, mode: p.mode }),
  'wiki.accept': async (agent, p) => await agent.wiki.accept(p.proposal),
  'wiki.reject': async (agent, p) => ({ proposal: await agent.wiki.reject(p.proposal, p.reason) }),
  'wiki.revert': async (agent, p) => await agent.wiki.revert(p.slug, p.revision),
  'wiki.protect': async (agent, p) => ({ page: await agent.wiki.protect(p.slug, p.level) }),
  'social.endorse': async (agent, p) => ({ endorsement: await facade(agent.social, 'social').endorse(p.agent, p.capability) }),
  'social.unendorse': async (agent, p) => ({ endorsement: await facade(agent.social, 'social').unendorse(p.agent, p.capability) }),
  'social.trust': async (agent, p) => ({ trust: facade(agent.social, 'social').trust(p.capability) }),
  'social.graph': async (agent) => ({ graph: facade(agent.social, 'social').graph() })
}

/** Performs a validated action as the agent. */
export async function perform<A extends ActionName> (agent: RemoteAgent, action: A, params: ActionParams<A>): Promise<unknown> {
  return (PERFORMERS[action] as Performer<A>)(agent, params)
}
