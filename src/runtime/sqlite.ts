/**
 * `node:sqlite`, loaded only once the Node.js version is known to have it. A static
 * `import ... from 'node:sqlite'` fails while the module graph is linked, before any
 * check can run, with `ERR_UNKNOWN_BUILTIN_MODULE` on an old Node.js; every module of
 * the package takes SQLite from here instead.
 */
import { assertNodeVersion } from './node-version.js'
import type * as Sqlite from 'node:sqlite'

assertNodeVersion()

const sqlite: typeof Sqlite = process.getBuiltinModule('node:sqlite')

/**
 * The synchronous SQLite database of `node:sqlite`.
 *
 * @example
 * ```ts
 * const db = new DatabaseSync('channels.db', { readOnly: true })
 * ```
 */
export const DatabaseSync = sqlite.DatabaseSync
export type DatabaseSync = Sqlite.DatabaseSync
export type StatementSync = Sqlite.StatementSync
