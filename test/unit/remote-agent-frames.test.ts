import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ACTION_NAMES, FRAME_SCHEMAS } from '../../src/gateway/remote/frames.js'
import { remoteAgentJsonSchemas, schemaFile } from '../../src/gateway/remote/json-schemas.js'

// Ajv 8, the JSON Schema validator the MCP SDK (a dependency) ships: an independent reading of the schemas
const requireFromSdk = createRequire(createRequire(import.meta.url).resolve('@modelcontextprotocol/sdk/package.json'))
type Validate = ((data: unknown) => boolean) & { errors?: unknown }
const Ajv = requireFromSdk('ajv') as { default: new (options: Record<string, unknown>) => { compile: (schema: unknown) => Validate } }

const PROTOCOLS = join(import.meta.dirname, '..', '..', 'protocols')
const message = { id: '01JD8X', channel: 'general' }

/** One valid frame of each action, so every action's parameters are exercised. */
const ACTION_SAMPLES: Record<string, Record<string, unknown>> = {
  post: { channel: 'general', text: 'hello', metadata: { tag: 'x' } },
  reply: { message, text: 'On it.' },
  react: { message, reaction: '+1' },
  history: { channel: 'general', limit: 10 },
  send: { to: 'python_expert@12D3KooWabc', payload: { text: 'q' }, timeoutMs: 5000 },
  find_agents: { capability: 'python' },
  remember: { kind: 'expert_knowledge', text: 'Raise ef', metadata: { topic: 'hnsw' } },
  recall: { query: 'hnsw ef', k: 3, mode: 'hybrid', excludeKinds: ['channel_message'], minSimilarity: 0.2 },
  forget: { id: 'vdb-001' },
  'wiki.list': {},
  'wiki.show': { slug: 'hnsw-tuning', revision: 2 },
  'wiki.history': { slug: 'hnsw-tuning' },
  'wiki.proposals': {},
  'wiki.create': { slug: 'hnsw-tuning', body: '# HNSW' },
  'wiki.edit': { slug: 'hnsw-tuning', body: '# HNSW 2', mode: 'propose' },
  'wiki.accept': { proposal: '01JD8Y' },
  'wiki.reject': { proposal: '01JD8Y', reason: 'off topic' },
  'wiki.revert': { slug: 'hnsw-tuning', revision: 1 },
  'wiki.protect': { slug: 'hnsw-tuning', level: 'locked' },
  'social.endorse': { agent: 'milvus_expert@12D3KooWabc', capability: 'milvus' },
  'social.unendorse': { agent: 'milvus_expert@12D3KooWabc', capability: 'milvus' },
  'social.trust': { capability: 'milvus' },
  'social.graph': {}
}

const VALID: Record<string, unknown[]> = {
  register: [{ type: 'register', id: '1', agent: { name: 'py_worker', community: 'devsupport', capabilities: ['python'], description: 'd', channels: ['general'], kind: 'expert' } }, { type: 'register', id: '2', agent: { name: 'minimal' } }],
  unregister: [{ type: 'unregister', id: '3', agent: 'py_worker' }],
  action: ACTION_NAMES.map((action, i) => ({ type: 'action', id: `a${i}`, agent: 'py_worker', action, params: ACTION_SAMPLES[action] })),
  answer: [{ type: 'answer', request: '01JD8Z', payload: { text: 'yes' } }, { type: 'answer', request: '01JD8Z', error: { message: 'cannot answer that' } }],
  welcome: [{ type: 'welcome', protocol: 'oa-agent.v1', peerId: '12D3KooWabc', version: '0.1.0', communities: ['devsupport'], scope: null }, { type: 'welcome', protocol: 'oa-agent.v1', peerId: 'p', version: 'v', communities: [], scope: { agent: 'py_worker', community: 'devsupport' } }],
  result: [{ type: 'result', id: '1', result: { agent: { id: 'py_worker@12D3KooWabc' } } }],
  error: [{ type: 'error', id: null, error: { code: 'not_json', message: 'the frame is not JSON' } }],
  event: [{ type: 'event', agent: 'py_worker', event: 'channel_post', data: { id: 'm', text: 'hi' } }, { type: 'event', agent: 'py_worker', event: 'stop', data: null }],
  request: [{ type: 'request', agent: 'py_worker', timeoutMs: 30000, request: { id: 'r', from: 'user@12D3KooWabc', to: 'py_worker', community: 'devsupport', payload: { text: 'q' }, event: {} } }],
  cancel: [{ type: 'cancel', agent: 'py_worker', request: 'r', reason: 'the node stopped waiting for the answer' }]
}

const INVALID: Record<string, unknown[]> = {
  register: [{ type: 'register', id: '1', agent: { name: 'has spaces' } }, { type: 'register', id: '1', agent: { name: 'x', extra: 1 } }, { type: 'register', agent: { name: 'x' } }],
  unregister: [{ type: 'unregister', id: '1' }],
  action: [{ type: 'action', id: '1', agent: 'x', action: 'launch', params: {} }, { type: 'action', id: '1', agent: 'x', action: 'post', params: { channel: 'general' } }, { type: 'action', id: '1', agent: 'x', action: 'recall', params: { query: 'q', k: 1000 } }],
  answer: [{ type: 'answer', request: 'r', payload: 1, error: { message: 'both' } }, { type: 'answer', request: 'r', error: {} }],
  event: [{ type: 'event', agent: 'x', event: 'explode', data: null }]
}

describe('the remote-agent protocol\'s JSON Schemas', () => {
  const generated = remoteAgentJsonSchemas()
  const ajv = new Ajv.default({ strict: false, allErrors: true, validateSchema: true })

  it('has a schema file for every frame type, equal to what the node validates with', async () => {
    expect(Object.keys(generated).sort()).toEqual(Object.keys(FRAME_SCHEMAS).sort())
    for (const type of Object.keys(FRAME_SCHEMAS)) {
      const file = JSON.parse(await readFile(join(PROTOCOLS, schemaFile(type)), 'utf8')) as unknown
      expect(file, `${schemaFile(type)} is stale: run npm run build && npx node dist/scripts/protocols/remote-agent-schemas.js`).toEqual(generated[type])
    }
  })

  it('every schema compiles, and sample frames validate under the JSON Schema and the node\'s own validation alike', () => {
    for (const [type, samples] of Object.entries(VALID)) {
      const validate = ajv.compile(generated[type] ?? {})
      for (const frame of samples) {
        expect(validate(frame), `${type}: ${JSON.stringify(validate.errors)}`).toBe(true)
        expect(FRAME_SCHEMAS[type]?.schema.safeParse(frame).success, `${type} (zod): ${JSON.stringify(frame)}`).toBe(true)
      }
    }
    for (const [type, samples] of Object.entries(INVALID)) {
      const validate = ajv.compile(generated[type] ?? {})
      for (const frame of samples) {
        expect(validate(frame), `${type} should refuse ${JSON.stringify(frame)}`).toBe(false)
        expect(FRAME_SCHEMAS[type]?.schema.safeParse(frame).success, `${type} (zod) should refuse ${JSON.stringify(frame)}`).toBe(false)
      }
    }
  })

  it('has a sample for every action', () => {
    expect(Object.keys(ACTION_SAMPLES).sort()).toEqual([...ACTION_NAMES].sort())
  })
})
