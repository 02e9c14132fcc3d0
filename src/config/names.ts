import { z } from 'zod'

/** Community names appear in gossipsub topics and DHT keys, so they are kept simple. */
export const COMMUNITY_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/

export const communityName = z.string().regex(COMMUNITY_NAME, {
  message: 'a community name is 1-63 characters of a-z, 0-9, "_" and "-", starting with a letter or digit'
})

export const channelName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, {
  message: 'a channel name is 1-64 characters of a-z, 0-9, "_" and "-", starting with a letter or digit'
})

/** Agent names: part of an agent's id (`<name>@<peer id>`). */
export const AGENT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/

export const agentName = z.string().regex(AGENT_NAME, {
  message: 'an agent name is 1-64 characters of letters, digits, "_" and "-"'
})

