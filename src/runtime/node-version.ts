/**
 * The Node.js this package needs, checked before anything that needs it is loaded.
 * `bin/oa-node` makes the same check (it must run on any Node.js, so it keeps its own copy).
 */

/** 22.13: the first Node.js 22 with `node:sqlite` available without a flag. */
export const MIN_NODE_VERSION: readonly [number, number] = [22, 13]

/** This Node.js is older than the package needs. */
export class NodeVersionError extends Error {
  override readonly name = 'NodeVersionError'
}

/**
 * Why `version` (as in `process.versions.node`) cannot run oa-node, or undefined when it can.
 *
 * @example
 * ```ts
 * nodeVersionProblem('20.20.2') // 'oa-node needs Node.js 22.13 or newer (this is v20.20.2): ...'
 * nodeVersionProblem('24.1.0')  // undefined
 * ```
 */
export function nodeVersionProblem (version: string): string | undefined {
  const [major = Number.NaN, minor = Number.NaN] = version.split('.').map(Number)
  const [minMajor, minMinor] = MIN_NODE_VERSION
  if (major > minMajor || (major === minMajor && minor >= minMinor)) return undefined
  return `oa-node needs Node.js ${MIN_NODE_VERSION.join('.')} or newer (this is v${version}): node:sqlite, which holds the channel history, comes without a flag from Node.js ${MIN_NODE_VERSION.join('.')} on`
}

/**
 * Throws NodeVersionError on a Node.js older than the package needs.
 *
 * @example
 * ```ts
 * assertNodeVersion() // throws on Node.js 20: 'oa-node needs Node.js 22.13 or newer (this is v20.20.2) ...'
 * ```
 */
export function assertNodeVersion (version: string = process.versions.node): void {
  const problem = nodeVersionProblem(version)
  if (problem != null) throw new NodeVersionError(problem)
}

// on import: the package's entry imports this module first, so an old Node.js gets this error
// instead of failing on whichever newer API it meets first
assertNodeVersion()
