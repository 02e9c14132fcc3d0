import { MAX_BODY_BYTES, MAX_TAGS, MAX_TITLE_CHARS } from '../../mods/forum/events.js'

/** A tag the forum takes: 1-32 characters of a-z, 0-9, "_", "-", ".". */
const TAG = /^[a-z0-9][a-z0-9_.-]{0,31}$/

/**
 * The title of the forum topic a question becomes: its first line's first 300
 * characters, trimmed. The coordinator posts under it and an expert that answered the
 * question knows its topic by it.
 *
 * @example
 * ```ts
 * topicTitleOf('My asyncio task hangs on Kubernetes\nmore detail')   // 'My asyncio task hangs on Kubernetes'
 * ```
 */
export function topicTitleOf (question: string): string {
  const first = question.trim().split('\n')[0] ?? ''
  // a lone high surrogate cut in half is dropped
  return first.slice(0, MAX_TITLE_CHARS).replace(/[\uD800-\uDBFF]$/, '').trim()
}

/**
 * Tags of a topic from the capabilities a question matched: lowercased, kept when the
 * forum takes them, at most 10, no repeats.
 *
 * @example
 * ```ts
 * topicTagsOf(['Kubernetes', 'asyncio', 'not a tag!'])   // ['kubernetes', 'asyncio']
 * ```
 */
export function topicTagsOf (capabilities: readonly string[]): string[] {
  return [...new Set(capabilities.map(c => c.trim().toLowerCase()).filter(c => TAG.test(c)))].slice(0, MAX_TAGS)
}

/**
 * A text cut to the forum's body limit (64 KiB of UTF-8), on a character boundary.
 *
 * @example
 * ```ts
 * topicBodyOf(mergedAnswer)
 * ```
 */
export function topicBodyOf (text: string): string {
  const bytes = Buffer.from(text)
  return bytes.byteLength <= MAX_BODY_BYTES ? text : bytes.subarray(0, MAX_BODY_BYTES).toString('utf8').replace(/\uFFFD+$/, '')
}
