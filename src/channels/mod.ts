import { join } from 'node:path'
import { channelRoutes } from '../api/routes/channels.js'
import { toChannelMessage } from '../agents/message.js'
import { defineMod } from '../mods/contract.js'
import { DIRECT_PROTOCOL, HISTORY_PROTOCOL } from '../wire/topics.js'
import { Channels } from './channels.js'
import { channelsSection, CHANNELS_DEFAULTS } from './config.js'
import { CHANNEL_EVENTS } from './events.js'
import { checkHistoryFile } from './history-check.js'
import type { ChannelsFacade } from '../agents/facades.js'
import type { ChannelSettings, ChannelsComponents } from './context.js'

/** The channels mod: community channels over gossipsub, history and backfill, direct requests. */
export const channelsMod = defineMod<Channels, ChannelSettings, ChannelsFacade>({
  name: 'channels',
  description: 'channels of the joined communities over gossipsub, with history, backfill and direct agent-to-agent requests',
  needs: ['communities'],
  config: { schema: channelsSection, defaults: CHANNELS_DEFAULTS, section: 'channels' },
  events: [...CHANNEL_EVENTS],
  topics: ['oa/1/<community>/ch/<channel>'],
  protocols: [DIRECT_PROTOCOL, HISTORY_PROTOCOL],
  service: {
    create: ({ config, node, penalties, limits, events }) => (components: ChannelsComponents) => new Channels(components, { dataDir: node.dataDir, communities: node.communities, settings: config, penalties, limits, events }),
    dependencies: ['@libp2p/pubsub']
  },
  routes: (router, { node }) => { channelRoutes(router, node) },
  agent: (channels, agent) => ({
    post: async (channel, text, metadata) => toChannelMessage(await channels.post({ community: agent.community, channel, text, agent: agent.name, ...(metadata == null ? {} : { metadata }) })),
    reply: async (message, text, metadata) => toChannelMessage(await channels.reply({ community: message.community, channel: message.channel, replyTo: message.id, text, agent: agent.name, ...(metadata == null ? {} : { metadata }) })),
    react: async (message, reaction) => { await channels.react({ community: message.community, channel: message.channel, messageId: message.id, reaction, agent: agent.name }) },
    history: (channel, options = {}) => channels.list(agent.community, channel, options).map(toChannelMessage),
    send: async (agentId, payload, options = {}) => (await channels.request({ community: agent.community, from: agent.name, to: agentId, payload, timeoutMs: options.timeoutMs, signal: options.signal, thread: options.thread })).payload
  }),
  status: (channels) => Object.fromEntries(channels.communities().map(c => [c, channels.channels(c)])),
  statusFields: (channels) => ({ rejected: channels.rejected() }),
  files: ['channels.db'],
  check: async ({ dataDir }) => ({ channels: await checkHistoryFile(join(dataDir, 'channels.db')) })
})
