/** Query words a text search uses. */
const MAX_TERMS = 64

/**
 * English function words (articles, pronouns, auxiliaries, prepositions, conjunctions):
 * nearly every row holds some of them, so a query word among them makes BM25 visit most
 * of the full-text table while adding almost nothing to the ranking.
 */
const STOP_WORDS = new Set(('a about above after again against all am an and any are as at be because been before being below between both but by ' +
  'can could did do does doing down during each few for from further had has have having he her here hers herself him himself his how ' +
  'i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours ourselves out over own ' +
  'same she should so some such than that the their theirs them themselves then there these they this those through to too under until up ' +
  'very was we were what when where which while who whom why will with would you your yours yourself yourselves').split(' '))

/**
 * The words a text search looks for: the distinct words of `text`, lowercase, English stop
 * words left out; a text made only of stop words keeps its words as given.
 *
 * @example
 * ```ts
 * queryWords('How do I raise the recall of an HNSW index?')   // ['raise', 'recall', 'hnsw', 'index']
 * queryWords('to be or not to be')                             // ['to', 'be', 'or', 'not']
 * ```
 */
export function queryWords (text: string): string[] {
  const words = [...new Set(text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [])]
  const content = words.filter(w => !STOP_WORDS.has(w))
  return (content.length > 0 ? content : words).slice(0, MAX_TERMS)
}

/**
 * An FTS5 query matching any of `words`, each quoted so that no word is read as query syntax.
 *
 * @example
 * ```ts
 * matchAny(['raise', 'recall'])   // '"raise" OR "recall"'
 * ```
 */
export function matchAny (words: string[]): string {
  return words.map(w => `"${w}"`).join(' OR ')
}

/**
 * The FTS5 query for a text search: any of its `queryWords`; undefined when it has none.
 *
 * @example
 * ```ts
 * ftsQuery('How do I raise the recall of an HNSW index?')   // '"raise" OR "recall" OR "hnsw" OR "index"'
 * ```
 */
export function ftsQuery (text: string): string | undefined {
  const words = queryWords(text)
  return words.length === 0 ? undefined : matchAny(words)
}
