import { z } from 'zod'
import { AGENT_NAME, CHANNEL_NAME, COMMUNITY_NAME } from '../wire/names.js'

export { AGENT_NAME, CHANNEL_NAME, COMMUNITY_NAME }

export const communityName = z.string().regex(COMMUNITY_NAME, {
  message: 'a community name is 1-63 characters of a-z, 0-9, "_" and "-", starting with a letter or digit'
})

export const channelName = z.string().regex(CHANNEL_NAME, {
  message: 'a channel name is 1-64 characters of a-z, 0-9, "_" and "-", starting with a letter or digit'
})

export const agentName = z.string().regex(AGENT_NAME, {
  message: 'an agent name is 1-64 characters of letters, digits, "_" and "-"'
})
