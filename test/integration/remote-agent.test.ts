import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiServer, serveApi } from '../../src/api/index.js'
import { RawAgentClient } from '../helpers/remote-agent-client.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { ServedApi } from '../../src/api/index.js'
import type { RemoteAgentGateway } from '../../src/gateway/remote/index.js'
import type { WikiService } from '../../src/mods/wiki/service.js'
import type { OaNode } from '../../src/node/oa-node.js'
import type { Frame } from '../helpers/remote-agent-client.js'

const C = 'devsupport'

async function connect (api: ServedApi, token = api.token): Promise<RawAgentClient> {
  const client = await RawAgentClient.open(api.url, token)
  if (!(client instanceof RawAgentClient)) throw new Error(`refused: ${client.status} ${client.code} ${client.message}`)
  return client
}

describe('remote agents over WS /v1/agents/connect', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let a: OaNode, b: OaNode
  let api: ServedApi
  const clients: RawAgentClient[] = []
  const open = async (token?: string): Promise<RawAgentClient> => {
    const client = await connect(api, token)
    clients.push(client)
    return client
  }
  const gateway = (): RemoteAgentGateway => a.service<RemoteAgentGateway>('remote_agents') as RemoteAgentGateway
  const idOn = (node: OaNode, name: string): string => `${name}@${node.peerId.toString()}`

  beforeAll(async () => {
    dir = await tempDir()
    a = await startTestNode(dir.path, 'a', { communities: [C] })
    b = await startTestNode(dir.path, 'b', { communities: [C], network: { bootstrap: [tcpAddr(a)] } })
    api = await serveApi(a, { port: 0 })
    await waitFor('a and b connected', () => a.libp2p.getPeers().length === 1 && b.libp2p.getPeers().length === 1)
  })

  afterAll(async () => {
    for (const client of clients) await client.close()
    await api.stop()
    await Promise.all([a, b].map(async n => n.stop()))
    await dir.cleanup()
  })

  it('hosts a registered agent like its own: found by capability from another node with its example questions, answering its direct request', async () => {
    const client = await open()
    expect(client.frames[0]).toMatchObject({ type: 'welcome', protocol: 'oa-agent.v1', peerId: a.peerId.toString(), communities: [C], scope: null })
    const registered = await client.register({ name: 'py_remote', capabilities: ['remote_python'], description: 'A Python process', kind: 'expert', examples: ['Is the GIL gone in Python 3.13?'] })
    expect(registered).toMatchObject({ type: 'result', result: { agent: { id: idOn(a, 'py_remote'), community: C, kind: 'expert', capabilities: ['remote_python'], channels: ['general'] } } })
    expect(a.libp2p.services.agents.list()).toContainEqual(expect.objectContaining({ name: 'py_remote', state: 'running', via: 'remote' }))

    const found = await waitFor('py_remote found from b', async () =>
      (await b.libp2p.services.discovery.findAgents({ community: C, capability: 'remote_python' })).find(x => x.id === idOn(a, 'py_remote') && x.online), 30_000, 300)
    expect(found).toMatchObject({ kind: 'expert', description: 'A Python process', peerId: a.peerId.toString(), examples: ['Is the GIL gone in Python 3.13?'] })

    const asked = b.libp2p.services.channels.request({ community: C, from: 'user', to: idOn(a, 'py_remote'), payload: { text: 'is the GIL gone?' } })
    const request = await client.next('request frame', f => f.type === 'request')
    expect(request).toMatchObject({ agent: 'py_remote', request: { from: idOn(b, 'user'), to: 'py_remote', community: C, payload: { text: 'is the GIL gone?' } } })
    client.send({ type: 'answer', request: (request.request as { id: string }).id, payload: { text: 'optional in 3.13' } })
    expect((await asked).payload).toEqual({ text: 'optional in 3.13' })
  })

  it('passes on channel posts and mentions, and posts and replies as the agent', async () => {
    const client = await open()
    await client.register({ name: 'listener', channels: ['general'] })
    const from = client.frames.length
    const post = await b.libp2p.services.channels.post({ community: C, channel: 'general', text: 'hello @listener, anyone there?' })
    const event = await client.next('channel_post event', f => f.type === 'event' && f.event === 'channel_post', from)
    expect(event).toMatchObject({ agent: 'listener', data: { id: post.id, text: 'hello @listener, anyone there?', channel: 'general', source: idOn(b, 'user') } })
    await client.next('mention event', f => f.type === 'event' && f.event === 'mention' && (f.data as { id: string }).id === post.id, from)

    const reply = await client.action('listener', 'reply', { message: { id: post.id, channel: 'general' }, text: 'here' })
    expect(reply).toMatchObject({ type: 'result', result: { message: { replyTo: post.id, source: idOn(a, 'listener'), text: 'here' } } })
    await waitFor('the reply reached b', () => b.libp2p.services.channels.list(C, 'general', { limit: 100 }).some(m => m.replyTo === post.id && m.source === idOn(a, 'listener')))
  })

  it('performs memory, discovery and social actions as the agent, and answers an action error by id', async () => {
    const client = await open()
    await client.register({ name: 'memo' })
    const remembered = await client.action('memo', 'remember', { kind: 'expert_knowledge', text: 'Raise ef above k for HNSW recall', id: 'memo-1' })
    expect(remembered).toMatchObject({ type: 'result', result: { record: { id: 'memo-1', agent: idOn(a, 'memo'), community: C } } })
    const recalled = await client.action('memo', 'recall', { query: 'HNSW recall ef', k: 3 })
    expect((recalled.result as { hits: Array<{ id: string }> }).hits.map(h => h.id)).toContain('memo-1')
    const agents = await client.action('memo', 'find_agents', {})
    expect((agents.result as { agents: Array<{ id: string }> }).agents.map(x => x.id)).toContain(idOn(a, 'memo'))
    const endorsed = await client.action('memo', 'social.endorse', { agent: idOn(b, 'user'), capability: 'python' })
    expect(endorsed).toMatchObject({ type: 'result', result: { endorsement: { endorser: idOn(a, 'memo'), agent: idOn(b, 'user'), capability: 'python' } } })
    const graph = await waitFor('the endorsement in the graph', async () => {
      const frame = await client.action('memo', 'social.graph', {})
      const edges = (frame.result as { graph: { edges: Array<{ from: string, to: string, kind: string }> } }).graph.edges
      return edges.find(e => e.from === idOn(a, 'memo') && e.to === idOn(b, 'user') && e.kind === 'endorsed')
    })
    expect(graph).toBeDefined()
    const forgotten = await client.action('memo', 'forget', { id: 'memo-1' })
    expect(forgotten).toMatchObject({ type: 'result', result: { forgotten: 'memo-1' } })
    // a refusal of the node's own services comes back as an error frame with their code
    const refused = await client.action('memo', 'send', { to: 'nobody@not-a-peer-id', payload: {} })
    expect(refused).toMatchObject({ type: 'error', error: { code: 'bad_target' } })
  })

  it('receives a proposal for its node\'s wiki page and accepts it with a wiki action', async () => {
    const client = await open()
    await client.register({ name: 'librarian' })
    const created = await client.action('librarian', 'wiki.create', { slug: 'remote-notes', body: '# Notes\n\nfirst' })
    expect(created).toMatchObject({ type: 'result', result: { page: { slug: 'remote-notes' } } })
    const wikiB = b.service<WikiService>('wiki') as WikiService
    await waitFor('the page reached b', () => wikiB.list(C).some(p => p.slug === 'remote-notes'))
    const from = client.frames.length
    const outcome = await wikiB.edit(C, 'remote-notes', '# Notes\n\nsecond', { agent: 'user' })
    expect(outcome.kind).toBe('proposal')
    const event = await client.next('wiki_proposal event', f => f.type === 'event' && f.event === 'wiki_proposal', from)
    const proposal = (event.data as { slug: string, proposal: { id: string } })
    expect(proposal.slug).toBe('remote-notes')
    const accepted = await client.action('librarian', 'wiki.accept', { proposal: proposal.proposal.id })
    expect(accepted).toMatchObject({ type: 'result', result: { revision: { kind: 'accept' } } })
    await waitFor('the accepted revision reached b', () => wikiB.show(C, 'remote-notes').revision.body.includes('second'))
  })

  it('refuses bad frames with an error frame naming the problem, counts them, and keeps the connection', async () => {
    const client = await open()
    const before = gateway().rejected()
    client.send('{not json')
    const notJson = await client.next('not_json error', f => f.type === 'error' && (f.error as { code: string }).code === 'not_json')
    expect(notJson.id).toBeNull()
    client.send({ type: 'launch', id: 'x1' })
    const unknown = await client.reply('x1')
    expect(unknown).toMatchObject({ type: 'error', error: { code: 'bad_frame', message: expect.stringContaining('unknown frame type "launch"') as unknown } })
    const badName = await client.register({ name: 'has spaces' })
    expect(badName).toMatchObject({ type: 'error', error: { code: 'bad_frame', message: expect.stringContaining('agent.name') as unknown } })
    const badParams = await client.call({ type: 'action', agent: 'ghost', action: 'post', params: { channel: 'general' } })
    expect(badParams).toMatchObject({ type: 'error', error: { code: 'bad_frame', message: expect.stringContaining('params: text') as unknown } })
    const notRegistered = await client.action('py_remote', 'post', { channel: 'general', text: 'I am py_remote' })
    expect(notRegistered).toMatchObject({ type: 'error', error: { code: 'not_registered', message: expect.stringContaining('"py_remote" is not registered on this connection') as unknown } })
    client.send({ type: 'answer', request: 'never-sent', payload: 1 })
    await client.next('unknown_request error', f => f.type === 'error' && (f.error as { code: string }).code === 'unknown_request')

    const after = gateway().rejected()
    expect(after.byReason.not_json).toBe(before.byReason.not_json + 1)
    expect(after.byReason.bad_frame).toBe(before.byReason.bad_frame + 3)
    expect(after.byReason.not_registered).toBe(before.byReason.not_registered + 1)
    expect(after.byReason.unknown_request).toBe(before.byReason.unknown_request + 1)
    expect((a.status() as unknown as { remote_agents: { rejected: { total: number } } }).remote_agents.rejected.total).toBe(after.total)
    // the connection goes on
    expect(await client.register({ name: 'survivor' })).toMatchObject({ type: 'result' })
  })

  it('closes a connection that sends a frame over 1 MiB, counts it, and serves the next one', async () => {
    const client = await open()
    const before = gateway().rejected().byReason.too_large
    client.send({ type: 'register', id: 'big', agent: { name: 'big', description: 'x'.repeat(1024 * 1024) } })
    await waitFor('the connection closed', () => client.closed)
    expect(client.closed?.code).toBe(1009)
    expect(gateway().rejected().byReason.too_large).toBe(before + 1)
    const next = await open()
    expect(await next.register({ name: 'after_big' })).toMatchObject({ type: 'result' })
  })

  it('refuses a client that does not offer oa-agent.v1, and a token the node did not issue', async () => {
    const noProtocol = await RawAgentClient.open(api.url, api.token, { protocols: [] })
    expect(noProtocol).toMatchObject({ status: 400, code: 'bad_subprotocol', message: expect.stringContaining('oa-agent.v1') as unknown })
    const stranger = await RawAgentClient.open(api.url, `oaa_${'0'.repeat(64)}`)
    expect(stranger).toMatchObject({ status: 401, code: 'unauthorized' })
    // a client that cannot set headers offers its token as a subprotocol, and is answered oa-agent.v1
    const browserLike = await RawAgentClient.open(api.url, api.token, { header: false, protocols: ['oa-agent.v1', `oa-token.${api.token}`] })
    if (!(browserLike instanceof RawAgentClient)) throw new Error(`refused: ${browserLike.code}`)
    clients.push(browserLike)
    expect(browserLike.ws.protocol).toBe('oa-agent.v1')
    const tokenOnly = await RawAgentClient.open(api.url, api.token, { header: false, protocols: [`oa-token.${api.token}`] })
    expect(tokenOnly).toMatchObject({ status: 400, code: 'bad_subprotocol' })
  })

  it('lets a per-agent token register its own name only, and disconnects it when the token is revoked', async () => {
    const token = await gateway().tokens.issue({ agent: 'scoped', community: C })
    const client = await open(token)
    expect(client.frames[0]).toMatchObject({ type: 'welcome', scope: { agent: 'scoped', community: C } })
    const before = gateway().rejected().byReason.token_scope
    const other = await client.register({ name: 'py_impostor' })
    expect(other).toMatchObject({ type: 'error', error: { code: 'not_allowed', message: expect.stringContaining('token is for agent "scoped" only') as unknown } })
    expect(gateway().rejected().byReason.token_scope).toBe(before + 1)
    expect(a.libp2p.services.agents.list().some(x => x.name === 'py_impostor')).toBe(false)
    expect(await client.register({ name: 'scoped' })).toMatchObject({ type: 'result' })
    // the token opens this endpoint only
    const status = await fetch(`${api.url}/v1/status`, { headers: { authorization: `Bearer ${token}` } })
    expect(status.status).toBe(401)

    expect(await gateway().revoke('scoped')).toEqual({ revoked: true, disconnected: 1 })
    await waitFor('revoked connection closed', () => client.closed)
    expect(client.closed).toMatchObject({ code: 4001 })
    await waitFor('scoped taken off the node', () => !a.libp2p.services.agents.list().some(x => x.name === 'scoped'))
    expect(await RawAgentClient.open(api.url, token)).toMatchObject({ status: 401 })
  })

  it('tells its agents when the control API stops, and closes their connections as going away', async () => {
    const second = new ApiServer({ node: a, token: api.token, port: 0 })
    const url = await second.start()
    const client = await RawAgentClient.open(url, api.token)
    if (!(client instanceof RawAgentClient)) throw new Error(`refused: ${client.code}`)
    await client.register({ name: 'leaving' })
    await second.stop()
    await client.next('stop event', f => f.type === 'event' && f.event === 'stop' && f.agent === 'leaving')
    await waitFor('the connection closed', () => client.closed)
    expect(client.closed?.code).toBe(1001)
    await waitFor('leaving taken off the node', () => !a.libp2p.services.agents.list().some(x => x.name === 'leaving'))
  })

  it('takes a disconnected agent offline at once and fails its pending request with a clear error', async () => {
    const client = await open()
    await client.register({ name: 'flaky', capabilities: ['flaky_cap'] })
    await waitFor('flaky found from b', async () =>
      (await b.libp2p.services.discovery.findAgents({ community: C, capability: 'flaky_cap' })).some(x => x.id === idOn(a, 'flaky') && x.online), 30_000, 300)
    const asked = b.libp2p.services.channels.request({ community: C, from: 'user', to: idOn(a, 'flaky'), payload: { text: 'still there?' }, timeoutMs: 120_000 })
    const failure = asked.then(() => undefined, (err: unknown) => err as Error)
    await client.next('request frame', (f: Frame) => f.type === 'request' && f.agent === 'flaky')
    await client.close()
    const err = await failure
    expect(err?.message).toContain('flaky disconnected from its node before answering')
    expect(a.libp2p.services.agents.list().some(x => x.name === 'flaky')).toBe(false)
    await waitFor('flaky offline on b', async () =>
      !(await b.libp2p.services.discovery.findAgents({ community: C, capability: 'flaky_cap' })).some(x => x.id === idOn(a, 'flaky') && x.online), 30_000, 300)
    // a later request learns there is no such agent
    await expect(b.libp2p.services.channels.request({ community: C, from: 'user', to: idOn(a, 'flaky'), payload: {} })).rejects.toThrow(/no agent named "flaky"/)
  })
})
