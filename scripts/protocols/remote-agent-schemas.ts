/**
 * Writes protocols/remote-agent/<type>.schema.json from the schemas the node validates
 * remote-agent frames with. Run after changing src/gateway/remote/frames.ts:
 * `npm run build && npx node dist/scripts/protocols/remote-agent-schemas.js`.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { remoteAgentJsonSchemas, schemaFile } from '../../src/gateway/remote/json-schemas.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
for (const [type, schema] of Object.entries(remoteAgentJsonSchemas())) {
  const file = join(root, 'protocols', schemaFile(type))
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, `${JSON.stringify(schema, null, 2)}\n`)
  console.log(`wrote ${file}`)
}
