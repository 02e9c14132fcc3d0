import { Role } from '@a2a-js/sdk'
import type { Message, Part } from '@a2a-js/sdk'

/** A text part. */
export function textPart (text: string): Part {
  return { content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' }
}

/** A JSON part. */
export function dataPart (value: unknown): Part {
  return { content: { $case: 'data', value }, metadata: undefined, filename: '', mediaType: 'application/json' }
}

/** A message of the agent's side of a task. */
export function agentMessage (text: string, taskId: string, contextId: string): Message {
  return { messageId: crypto.randomUUID(), contextId, taskId, role: Role.ROLE_AGENT, parts: [textPart(text)], metadata: undefined, extensions: [], referenceTaskIds: [] }
}

/** The text of a message's text parts, one per line. */
export function textOf (parts: Part[]): string {
  return parts.flatMap(p => p.content?.$case === 'text' ? [p.content.value] : []).join('\n')
}

/**
 * What an A2A message asks, as the payload of a direct request: `{ text }` from its text
 * parts (the shape every built-in agent reads), the data part's value when it has only
 * data, or undefined when it carries neither.
 *
 * @example
 * ```ts
 * payloadOf(message.parts)   // { text: 'Does asyncio.gather keep order?' }
 * ```
 */
export function payloadOf (parts: Part[]): unknown {
  const text = textOf(parts)
  if (text.trim() !== '') return { text }
  const data = parts.find(p => p.content?.$case === 'data')
  return data?.content?.$case === 'data' ? data.content.value : undefined
}

/** The text of a direct reply's payload: its `text`, or the payload as JSON. */
export function replyText (payload: unknown): string {
  if (typeof payload === 'string') return payload
  const text = (payload as { text?: unknown } | null)?.text
  return typeof text === 'string' ? text : JSON.stringify(payload)
}
