/** Version of the topic layout. */
export const WIRE_VERSION = 1

export const DIRECT_PROTOCOL = '/oa/direct/1.0.0'
export const HISTORY_PROTOCOL = '/oa/history/1.0.0'

/**
 * The gossipsub topic of a channel.
 *
 * @example
 * ```ts
 * channelTopic('devsupport', 'general')  // 'oa/1/devsupport/ch/general'
 * ```
 */
export function channelTopic (community: string, channel: string): string {
  return `oa/${WIRE_VERSION}/${community}/ch/${channel}`
}

const CHANNEL_TOPIC = new RegExp(`^oa/${WIRE_VERSION}/([^/]+)/ch/([^/]+)$`)
const MEMORY_TOPIC = new RegExp(`^oa/${WIRE_VERSION}/([^/]+)/mem$`)
const CONTROL_TOPIC = new RegExp(`^oa/${WIRE_VERSION}/([^/]+)/ctl$`)

/** The community and channel a topic names, or undefined for any other topic. */
export function parseChannelTopic (topic: string): { community: string, channel: string } | undefined {
  const match = CHANNEL_TOPIC.exec(topic)
  if (match == null) return undefined
  return { community: match[1] ?? '', channel: match[2] ?? '' }
}

/**
 * The gossipsub topic of a community's memory.
 *
 * @example
 * ```ts
 * memoryTopic('devsupport')  // 'oa/1/devsupport/mem'
 * ```
 */
export function memoryTopic (community: string): string {
  return `oa/${WIRE_VERSION}/${community}/mem`
}

/** The community a memory topic names, or undefined for any other topic. */
export function parseMemoryTopic (topic: string): string | undefined {
  return MEMORY_TOPIC.exec(topic)?.[1]
}

/**
 * The gossipsub topic of a community's control objects (genesis, credentials, removals,
 * key grants), named by the community's wire name.
 *
 * @example
 * ```ts
 * controlTopic('p3f9a...')  // 'oa/1/p3f9a.../ctl'
 * ```
 */
export function controlTopic (wireName: string): string {
  return `oa/${WIRE_VERSION}/${wireName}/ctl`
}

/** The wire name a control topic names, or undefined for any other topic. */
export function parseControlTopic (topic: string): string | undefined {
  return CONTROL_TOPIC.exec(topic)?.[1]
}
