// Starts a real node in this process with node.yaml, then asks the agent directly.
// Run: npm test
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { createNode, loadConfig } from 'oa-node'

const AGENT = '__AGENT__'
const CONFIG = join(import.meta.dirname, '..', 'node.yaml')

let node
let dataDir

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'oa-agent-test-'))
  // loopback only, any free ports, a fresh data dir: the test touches nothing else
  const config = await loadConfig({
    file: CONFIG,
    flags: { dataDir, network: { listen: ['/ip4/127.0.0.1/tcp/0'] }, api: { port: 0 } }
  })
  node = await createNode(config)
  await node.start()
})

after(async () => {
  await node?.stop()
  await rm(dataDir, { recursive: true, force: true })
})

/** Sends the agent a direct request, as another agent or `oa-node ask` would. */
async function ask (text) {
  const community = node.communities[0]
  const reply = await node.libp2p.services.channels.request({
    community,
    from: 'test',
    to: `${AGENT}@${node.peerId.toString()}`,
    payload: { text }
  })
  return reply.payload
}

test('the agent runs on the node', () => {
  const agent = node.status().agents.find(a => a.name === AGENT)
  assert.equal(agent?.state, 'running', JSON.stringify(agent))
})

test('answers a question from its FAQ', async () => {
  const answer = await ask('How do I join a community?')
  assert.equal(answer.source, 'faq')
  assert.match(answer.text, /--community/)
})

test('answers from the community memory what the FAQ does not hold', async () => {
  const community = node.communities[0]
  const before = await ask('Which port does the control API use?')
  assert.equal(before.source, 'none')
  await node.libp2p.services.memory.remember(community, { kind: 'expert_knowledge', text: 'The control API listens on port 7780 of 127.0.0.1.' })
  const after = await ask('Which port does the control API use?')
  assert.equal(after.source, 'memory')
  assert.match(after.text, /7780/)
})
