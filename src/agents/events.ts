import { presencePayload } from '../events/payloads.js'
import { EventTypes } from '../events/types.js'
import type { EventSpec } from '../events/registry.js'

/** The event types the agents mod owns: presence, relayed on channel topics and never kept in history. */
export const PRESENCE_EVENTS: readonly EventSpec[] = [
  { type: EventTypes.AGENT_PRESENCE_ONLINE, payload: presencePayload, history: false, description: 'an agent came online' },
  { type: EventTypes.AGENT_PRESENCE_OFFLINE, payload: presencePayload, history: false, description: 'an agent went offline' }
]
