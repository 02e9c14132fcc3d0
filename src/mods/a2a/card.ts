import { generateAgentCardSignature } from '@a2a-js/sdk'
import { toString as toBase64url } from 'uint8arrays/to-string'
import { VERSION } from '../../version.js'
import type { AgentStatus } from '../../agents/runtime.js'
import type { AgentCard } from '@a2a-js/sdk'
import type { PrivateKey } from '@libp2p/interface'

/** The A2A protocol version the gateway speaks. */
export const A2A_VERSION = '1.0'

/** The name of the security scheme every card declares: the gateway's bearer token. */
export const BEARER_SCHEME = 'oaBearer'

/** Where a node's card-signing key is published, under the gateway's base URL. */
export const JWKS_PATH = '/.well-known/jwks.json'

/**
 * The paths of one agent under the gateway's base URL.
 *
 * @example
 * ```ts
 * agentPaths('python_expert').card   // /agents/python_expert/.well-known/agent-card.json
 * ```
 */
export function agentPaths (name: string): { base: string, card: string, jsonrpc: string, rest: string } {
  const base = `/agents/${encodeURIComponent(name)}`
  return { base, card: `${base}/.well-known/agent-card.json`, jsonrpc: `${base}/jsonrpc`, rest: `${base}/rest` }
}

/**
 * The A2A 1.0 Agent Card of an agent this node hosts: its capabilities as skills, the
 * JSON-RPC and HTTP+JSON interfaces of the gateway, and the bearer scheme they require.
 *
 * @example
 * ```ts
 * const card = a2aCardOf(agent, 'http://127.0.0.1:7790', 'Answers Python questions')
 * card.supportedInterfaces[0].url   // http://127.0.0.1:7790/agents/python_expert/jsonrpc
 * ```
 */
export function a2aCardOf (agent: Pick<AgentStatus, 'name' | 'community' | 'capabilities' | 'kind'>, baseUrl: string, description: string): AgentCard {
  const paths = agentPaths(agent.name)
  const iface = (path: string, protocolBinding: string): AgentCard['supportedInterfaces'][number] => ({ url: `${baseUrl}${path}`, protocolBinding, tenant: '', protocolVersion: A2A_VERSION })
  return {
    name: agent.name,
    description: description === '' ? `${agent.name}, an oa-node agent of ${agent.community}` : description,
    supportedInterfaces: [iface(paths.jsonrpc, 'JSONRPC'), iface(paths.rest, 'HTTP+JSON')],
    provider: { organization: 'oa-node', url: baseUrl },
    version: VERSION,
    capabilities: { streaming: true, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: {
      [BEARER_SCHEME]: { scheme: { $case: 'httpAuthSecurityScheme', value: { description: 'the gateway\'s token, in <data dir>/a2a.token of the node', scheme: 'Bearer', bearerFormat: '' } } }
    },
    securityRequirements: [{ schemes: { [BEARER_SCHEME]: { list: [] } } }],
    defaultInputModes: ['text/plain', 'application/json'],
    defaultOutputModes: ['text/plain', 'application/json'],
    skills: agent.capabilities.map(capability => ({
      id: capability,
      name: capability,
      description: `${agent.name} answers ${capability} questions in ${agent.community}`,
      tags: [capability, agent.community, agent.kind],
      examples: [],
      inputModes: [],
      outputModes: [],
      securityRequirements: []
    })),
    signatures: []
  }
}

/**
 * The public JWK of the node's Ed25519 key, named by its peer id (what `/.well-known/jwks.json` serves).
 *
 * @example
 * ```ts
 * const jwk = nodeJwk(privateKey, peerId.toString())   // { kty: 'OKP', crv: 'Ed25519', x, kid: '12D3KooW...' }
 * ```
 */
export function nodeJwk (privateKey: PrivateKey, peerId: string): { kty: 'OKP', crv: 'Ed25519', x: string, kid: string, alg: 'EdDSA', use: 'sig' } {
  if (privateKey.type !== 'Ed25519') throw new Error(`the node key is ${privateKey.type}; agent cards are signed with an Ed25519 node key`)
  return { kty: 'OKP', crv: 'Ed25519', x: toBase64url(privateKey.publicKey.raw, 'base64url'), kid: peerId, alg: 'EdDSA', use: 'sig' }
}

/**
 * Signs cards with the node's key: a JWS (EdDSA) over the card's JCS form, as A2A 1.0
 * specifies, with the peer id as `kid` and the gateway's JWKS as `jku`. Anyone can check
 * it against the public key inside the peer id, without asking the node.
 *
 * @example
 * ```ts
 * const signed = await cardSigner(privateKey, peerId, 'http://127.0.0.1:7790/.well-known/jwks.json')(card)
 * ```
 */
export function cardSigner (privateKey: PrivateKey, peerId: string, jku: string): (card: AgentCard) => Promise<AgentCard> {
  const jwk = nodeJwk(privateKey, peerId)
  // libp2p's raw Ed25519 private key is the 32-byte seed followed by the public key
  const d = toBase64url(privateKey.raw.subarray(0, 32), 'base64url')
  return generateAgentCardSignature({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, d }, { alg: 'EdDSA', typ: 'JOSE', kid: peerId, jku })
}
