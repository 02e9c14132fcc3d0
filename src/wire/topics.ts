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

/** The community and channel a topic names, or undefined for any other topic. */
export function parseChannelTopic (topic: string): { community: string, channel: string } | undefined {
  const match = /^oa\/1\/([^/]+)\/ch\/([^/]+)$/.exec(topic)
  if (match == null) return undefined
  return { community: match[1] ?? '', channel: match[2] ?? '' }
}
