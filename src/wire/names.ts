/**
 * The names that travel on the wire, in topics, DHT keys and agent ids. Each pattern is
 * defined here once; configuration, validation and the services all check names with it.
 *
 * @example
 * ```ts
 * COMMUNITY_NAME.test('devsupport')   // true
 * CHANNEL_NAME.test('General')        // false: lowercase only
 * AGENT_NAME.test('python_expert')    // true
 * ```
 */

/** Community names: 1-63 characters of a-z, 0-9, `_` and `-`, starting with a letter or digit (they appear in topics and DHT keys). */
export const COMMUNITY_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/

/** Channel names: 1-64 characters of a-z, 0-9, `_` and `-`, starting with a letter or digit. */
export const CHANNEL_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/

/** Agent names, the part of an agent id (`<name>@<peer id>`) before the `@`: 1-64 characters of letters, digits, `_` and `-`. */
export const AGENT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/
