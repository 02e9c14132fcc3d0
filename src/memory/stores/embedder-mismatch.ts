import { commandLine } from '../../cli/invocation.js'
import { EmbedderMismatchError } from '../errors.js'

/**
 * The error for a store on disk made with another embedder than the node's: names both
 * and says how to migrate (export with the old one, import with the new one).
 *
 * @example
 * ```ts
 * throw embedderMismatch('n1/memory', { embedder: 'local-hash-v2', dimension: 1024 }, { name: 'openai:text-embedding-3-small', dimension: 1536 })
 * ```
 */
export function embedderMismatch (dir: string, held: { embedder: string, dimension: number }, configured: { name: string, dimension: number }): EmbedderMismatchError {
  return new EmbedderMismatchError(
    `the memory in ${dir} was embedded with ${held.embedder} (${held.dimension} dimensions), but this node is configured with ${configured.name} (${configured.dimension}). ` +
    `Use the same embedder, or migrate: run the node with the old embedder and export each community (${commandLine('memory export <community> > backup.jsonl')}), move ${dir} away, then start with the new embedder and import the files (${commandLine('memory import <community> backup.jsonl')}) to re-embed them.`
  )
}
