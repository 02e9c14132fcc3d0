import { z } from 'zod'
import { REMOTE_AGENT_SUBPROTOCOL } from './constants.js'
import { FRAME_SCHEMAS } from './frames.js'

/** Where the JSON Schema of a frame type is published, under protocols/. */
export function schemaFile (type: string): string {
  return `remote-agent/${type}.schema.json`
}

/**
 * The JSON Schema (draft-07, which every validator reads) of every frame of the remote-agent protocol, by frame
 * type, made from the schemas the node validates frames with; protocols/remote-agent/
 * holds them as files (`npx node dist/scripts/protocols/remote-agent-schemas.js` writes them).
 *
 * @example
 * ```ts
 * const { register } = remoteAgentJsonSchemas()   // { $schema, $id, title, type: 'object', properties: { ... } }
 * ```
 */
export function remoteAgentJsonSchemas (): Record<string, Record<string, unknown>> {
  return Object.fromEntries(Object.entries(FRAME_SCHEMAS).map(([type, { schema, from, description }]) => {
    const json = z.toJSONSchema(schema, { target: 'draft-7', unrepresentable: 'any' }) as Record<string, unknown>
    const { $schema, ...rest } = json
    return [type, {
      $schema,
      $id: `urn:oa-node:remote-agent:v1:${type}`,
      title: `${REMOTE_AGENT_SUBPROTOCOL} ${type} frame (${from} to ${from === 'client' ? 'node' : 'client'})`,
      description: description,
      ...rest
    }]
  }))
}
