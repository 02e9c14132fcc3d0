import { TOKENIZE } from './schema.js'
import type { DatabaseSync, StatementSync } from '../../../runtime/sqlite.js'

/**
 * Rows a text search's words may match, summed over the words, before the more common
 * ones are left out. At 100,000 real sentences, queried with 200 other sentences (about
 * 10 words each after stop words): FTS5 time p50 / p99 0.8 / 1.4 ms at a budget of 1,000,
 * 1.3 / 2.2 at 2,000, 2.7 / 4.0 at 5,000, against 7 / 24 ms with every word; the top 10
 * shared with the every-word ranking: 0.32, 0.42, 0.61, and 0.91 at 20,000 (bench:store
 * machine, 2026-12-02). Short questions rarely reach the budget.
 */
export const MATCH_BUDGET = 5_000

/**
 * Chooses which query words a text search matches on, by how many rows hold each: the
 * rarest first, while the rows they match stay within a budget, and the rarest always.
 * BM25 gives a word held by many rows little weight, yet every row holding it must be
 * scored; leaving such words out when rarer ones fill the budget bounds the work of a
 * search on a large store and changes the ranking little. A word no row holds is left
 * out. Words are counted as the full-text table stems them, through a temporary FTS5
 * table of the same tokenizer (in memory, on this connection).
 *
 * @example
 * ```ts
 * const terms = new TermChooser(db)
 * terms.choose(['convenience', 'method', 'request'])   // ['convenience', 'request', 'method'] (rarest first, within the budget)
 * ```
 */
export class TermChooser {
  private readonly budget: number
  private readonly clear: StatementSync
  private readonly add: StatementSync
  private readonly stems: StatementSync
  private readonly rows: StatementSync

  constructor (db: DatabaseSync, budget = MATCH_BUDGET) {
    this.budget = budget
    db.exec(`PRAGMA temp_store = MEMORY;
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.records_terms USING fts5vocab (main, records_fts, row);
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_words USING fts5 (word, tokenize = '${TOKENIZE}');
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_terms USING fts5vocab (temp, query_words, instance);`)
    this.clear = db.prepare('DELETE FROM temp.query_words')
    this.add = db.prepare('INSERT INTO temp.query_words (rowid, word) VALUES (?, ?)')
    this.stems = db.prepare('SELECT term, doc FROM temp.query_terms')
    this.rows = db.prepare('SELECT doc FROM temp.records_terms WHERE term = ?')
  }

  /** The words of `words` to match on, rarest first. */
  choose (words: string[]): string[] {
    this.clear.run()
    words.forEach((w, i) => this.add.run(i + 1, w))
    const held = new Map<string, number>()
    const rowsOf = new Map<number, number>()
    for (const { term, doc } of this.stems.all() as Array<{ term: string, doc: number }>) {
      let n = held.get(term)
      if (n == null) {
        n = (this.rows.get(term) as { doc: number } | undefined)?.doc ?? 0
        held.set(term, n)
      }
      // a word of several terms (snake_case) matches as a phrase: at most its rarest term's rows
      rowsOf.set(doc, Math.min(rowsOf.get(doc) ?? Number.POSITIVE_INFINITY, n))
    }
    this.clear.run()
    const counted = [...rowsOf].filter(([, n]) => n > 0).sort((a, b) => a[1] - b[1])
    const chosen: string[] = []
    let matched = 0
    for (const [doc, n] of counted) {
      if (chosen.length > 0 && matched + n > this.budget) break
      chosen.push(words[doc - 1] ?? '')
      matched += n
    }
    return chosen
  }
}
