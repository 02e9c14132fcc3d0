import { dottedPath } from '../config/load.js'
import { AgentConfigError } from './errors.js'
import type { z } from 'zod'

/**
 * Validates a built-in agent's `options` from config; AgentConfigError names the agent
 * and every bad key.
 *
 * @example
 * ```ts
 * const settings = parseOptions('coordinator', schema, init.options)
 * ```
 */
export function parseOptions<T> (agent: string, schema: z.ZodType<T>, options: unknown): T {
  const parsed = schema.safeParse(options ?? {})
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues.flatMap(i => i.code === 'unrecognized_keys'
    ? i.keys.map(k => `${dottedPath([...i.path, k])}: unknown key`)
    : [`${dottedPath(i.path)}: ${i.message}`])
  throw new AgentConfigError(`agent ${agent}: options: ${problems.join('; ')}`)
}
