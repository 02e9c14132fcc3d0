export const STOPWORDS = new Set(('a an and are as at be but by can do does for from has have how i if in into is it its me my no not of on or our so that the their them then there these this to was we what when where which who why will with you your ' +
  'about after again all also am any because been before being between both could did doing down each few further had having he her here hers him his just more most much must need nor now off once only other ought out over own same she should some such than too under until up very were while would yet get got use using used want way work works').split(' '))

/**
 * Lowercase content words of a text, without stopwords and very short words.
 *
 * @example
 * ```ts
 * terms('My asyncio task hangs when I deploy it to Kubernetes')  // ['asyncio', 'task', 'hangs', 'deploy', 'kubernetes']
 * ```
 */
export function terms (text: string): string[] {
  const words = text.toLowerCase().match(/[a-z0-9][a-z0-9+#._-]*/g) ?? []
  return words.map(w => w.replace(/[._-]+$/, '')).filter(w => w.length >= 2 && !STOPWORDS.has(w))
}

/** Two terms match when equal, or when one starts the other and both have 4+ letters (deploy, deployment). */
export function termsMatch (a: string, b: string): boolean {
  if (a === b) return true
  if (a.length < 4 || b.length < 4) return false
  return a.startsWith(b) || b.startsWith(a)
}

/** Terms of `query` found in `text`, and a score: the share of query terms found. */
export function overlap (query: string[], text: string): { matched: string[], score: number } {
  if (query.length === 0) return { matched: [], score: 0 }
  const words = new Set(terms(text))
  const matched = query.filter(q => [...words].some(w => termsMatch(q, w)))
  return { matched, score: matched.length / query.length }
}
