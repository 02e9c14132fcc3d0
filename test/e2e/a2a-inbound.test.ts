import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { AgentCard, Role, TaskState, verifyAgentCardSignature } from '@a2a-js/sdk'
import { ClientFactory, JsonRpcTransportFactory, RestTransportFactory } from '@a2a-js/sdk/client'
import { peerIdFromString } from '@libp2p/peer-id'
import { toString as toBase64url } from 'uint8arrays/to-string'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient } from '../../src/api/client.js'
import { runCli, startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { NodeProcess } from '../helpers/cli.js'
import type { Message, Task } from '@a2a-js/sdk'
import type { Client } from '@a2a-js/sdk/client'

const CONFIG = join(import.meta.dirname, '..', 'fixtures', 'a2a', 'node.yaml')
const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0', '--a2a-port', '0', '--config', CONFIG]

function message (text: string): Message {
  return { messageId: crypto.randomUUID(), contextId: '', taskId: '', role: Role.ROLE_USER, parts: [{ content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' }], metadata: undefined, extensions: [], referenceTaskIds: [] }
}

function textOf (task: Task): string {
  return task.artifacts.flatMap(a => a.parts).flatMap(p => p.content?.$case === 'text' ? [p.content.value] : []).join('\n')
}

function asTask (result: Message | Task): Task {
  if (!('status' in result)) throw new Error(`expected a task, got a message: ${JSON.stringify(result)}`)
  return result
}

async function clientOf (base: string, token: string | undefined, binding: 'JSONRPC' | 'HTTP+JSON'): Promise<Client> {
  const fetchImpl: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers)
    if (token != null) headers.set('authorization', `Bearer ${token}`)
    return fetch(input, { ...init, headers })
  }
  // the SDK declares these options as classes it does not export: a literal is what it takes
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
  const transport = binding === 'JSONRPC' ? new JsonRpcTransportFactory({ fetchImpl }) : new RestTransportFactory({ fetchImpl })
  return new ClientFactory({ transports: [transport] }).createFromUrl(`${base}/`)
}

describe('the inbound A2A gateway of a node process, driven by @a2a-js/sdk\'s client', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let node: NodeProcess
  let token: string
  let agentUrl: string
  const dataDir = (): string => join(dir.path, 'n1')

  beforeAll(async () => {
    dir = await tempDir()
    node = await startNodeProcess(['--data-dir', dataDir(), ...LOOPBACK])
    token = (await readFile(join(dataDir(), 'a2a.token'), 'utf8')).trim()
    agentUrl = `${node.started.a2a ?? ''}/agents/echo`
  })

  afterAll(async () => {
    await node?.stop()
    await dir.cleanup()
  })

  it('serves a card with the agent\'s capabilities as skills and the bearer scheme, signed with the node\'s key', async () => {
    expect(node.started.a2a).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const client = await clientOf(agentUrl, token, 'JSONRPC')
    const card = await client.getAgentCard()
    expect(card.name).toBe('echo')
    expect(card.skills.map(s => s.id)).toEqual(['echo', 'patience'])
    expect(card.supportedInterfaces.map(i => [i.protocolBinding, i.url, i.protocolVersion])).toEqual([
      ['JSONRPC', `${agentUrl}/jsonrpc`, '1.0'],
      ['HTTP+JSON', `${agentUrl}/rest`, '1.0']
    ])
    expect(card.securitySchemes.oaBearer?.scheme).toMatchObject({ $case: 'httpAuthSecurityScheme', value: { scheme: 'Bearer' } })
    expect(card.securityRequirements).toEqual([{ schemes: { oaBearer: { list: [] } } }])
    // the key comes from the peer id the node started with, not from anything the gateway serves
    const nodeKey = async (kid: string): Promise<{ kty: string, crv: string, x: string }> => {
      const key = peerIdFromString(kid).publicKey
      if (kid !== node.started.peerId || key?.type !== 'Ed25519') throw new Error(`not the node's key: ${kid}`)
      return { kty: 'OKP', crv: 'Ed25519', x: toBase64url(key.raw, 'base64url') }
    }
    await verifyAgentCardSignature(nodeKey)(card)
    await expect(verifyAgentCardSignature(nodeKey)({ ...card, description: 'forged' })).rejects.toThrow()
    // the card on the wire is A2A's JSON form
    const raw = await (await fetch(`${agentUrl}/.well-known/agent-card.json`)).json() as Record<string, unknown>
    expect(raw.securitySchemes).toMatchObject({ oaBearer: { httpAuthSecurityScheme: { scheme: 'Bearer' } } })
    expect(AgentCard.fromJSON(raw).name).toBe('echo')
  })

  for (const binding of ['JSONRPC', 'HTTP+JSON'] as const) {
    it(`over ${binding}: a message is a direct request to the agent, its answer the task's artifact; get, list, stream, follow and cancel`, async () => {
      const client = await clientOf(agentUrl, token, binding)
      const task = asTask(await client.sendMessage({ tenant: '', message: message(`hello over ${binding}`), configuration: undefined, metadata: undefined }))
      expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED)
      expect(textOf(task)).toBe(`echo: hello over ${binding}`)

      const got = await client.getTask({ tenant: '', id: task.id })
      expect(got.status?.state).toBe(TaskState.TASK_STATE_COMPLETED)
      expect(got.history.map(m => m.role)).toEqual([Role.ROLE_USER, Role.ROLE_AGENT])

      const events: string[] = []
      for await (const event of client.sendMessageStream({ tenant: '', message: message('stream me'), configuration: undefined, metadata: undefined })) {
        const payload = event.payload
        if (payload?.$case === 'statusUpdate') events.push(`status:${TaskState[payload.value.status?.state ?? 0]}`)
        else if (payload?.$case === 'artifactUpdate') events.push(`artifact:${payload.value.artifact?.parts.map(p => p.content?.$case === 'text' ? p.content.value : '').join('') ?? ''}`)
        else events.push(payload?.$case ?? 'none')
      }
      expect(events).toEqual(['task', 'status:TASK_STATE_WORKING', 'artifact:echo: stream me', 'status:TASK_STATE_COMPLETED'])

      const slow = asTask(await client.sendMessage({ tenant: '', message: message('wait for me'), configuration: { returnImmediately: true, acceptedOutputModes: [], taskPushNotificationConfig: undefined }, metadata: undefined }))
      expect(slow.status?.state).not.toBe(TaskState.TASK_STATE_COMPLETED)
      await waitFor('the slow task runs', async () => (await client.getTask({ tenant: '', id: slow.id })).status?.state === TaskState.TASK_STATE_WORKING)
      // a second client follows the running task until it ends
      const followed: string[] = []
      const following = (async () => {
        for await (const event of (await clientOf(agentUrl, token, binding)).resubscribeTask({ tenant: '', id: slow.id })) {
          if (event.payload?.$case === 'statusUpdate') followed.push(TaskState[event.payload.value.status?.state ?? 0] ?? 'unknown')
          else followed.push(event.payload?.$case ?? 'none')
        }
      })()
      await waitFor('the follower has the task', () => followed.length > 0)
      const canceled = await client.cancelTask({ tenant: '', id: slow.id, metadata: undefined })
      expect(canceled.status?.state).toBe(TaskState.TASK_STATE_CANCELED)
      await following
      expect(followed).toEqual(['task', 'TASK_STATE_CANCELED'])

      const listed = await client.listTasks({ tenant: '', contextId: '', status: TaskState.TASK_STATE_UNSPECIFIED, pageToken: '', statusTimestampAfter: undefined, includeArtifacts: true })
      expect(listed.tasks.map(t => t.id)).toEqual(expect.arrayContaining([task.id, slow.id]))
      expect(listed.tasks.find(t => t.id === task.id)?.artifacts.length).toBe(1)
      const onlyCanceled = await client.listTasks({ tenant: '', contextId: '', status: TaskState.TASK_STATE_CANCELED, pageToken: '', statusTimestampAfter: undefined })
      expect(onlyCanceled.tasks.map(t => t.id)).toContain(slow.id)
      expect(onlyCanceled.tasks.every(t => t.status?.state === TaskState.TASK_STATE_CANCELED)).toBe(true)
    })
  }

  it('pages through ListTasks with its page token', async () => {
    const client = await clientOf(agentUrl, token, 'JSONRPC')
    for (let i = 0; i < 3; i++) await client.sendMessage({ tenant: '', message: message(`page ${i}`), configuration: undefined, metadata: undefined })
    const all = await client.listTasks({ tenant: '', contextId: '', status: TaskState.TASK_STATE_UNSPECIFIED, pageToken: '', statusTimestampAfter: undefined })
    const seen: string[] = []
    let pageToken = ''
    do {
      const page = await client.listTasks({ tenant: '', contextId: '', status: TaskState.TASK_STATE_UNSPECIFIED, pageSize: 2, pageToken, statusTimestampAfter: undefined })
      expect(page.tasks.length).toBeLessThanOrEqual(2)
      seen.push(...page.tasks.map(t => t.id))
      pageToken = page.nextPageToken
    } while (pageToken !== '')
    expect(seen).toEqual(all.tasks.map(t => t.id))
    expect(new Set(seen).size).toBe(all.totalSize)
  })

  it('refuses a client without the token, an unknown agent and a body that is not JSON, counts each, and keeps serving', async () => {
    const anonymous = await clientOf(agentUrl, undefined, 'JSONRPC')
    await expect(anonymous.sendMessage({ tenant: '', message: message('no token'), configuration: undefined, metadata: undefined })).rejects.toThrow(/401/)
    const wrong = await fetch(`${agentUrl}/rest/tasks`, { headers: { authorization: 'Bearer nope' } })
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toContain('a2a.token')
    const nobody = await fetch(`${node.started.a2a ?? ''}/agents/nobody/.well-known/agent-card.json`)
    expect(nobody.status).toBe(404)
    expect(((await nobody.json()) as { error: { code: string } }).error.code).toBe('no_such_agent')
    const garbage = await fetch(`${agentUrl}/jsonrpc`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"jsonrpc": ' })
    expect(((await garbage.json()) as { error: { code: number } }).error.code).toBe(-32700)
    const noId = await fetch(`${agentUrl}/rest/message:send`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'a2a-version': '1.0' }, body: '{"message": {}}' })
    expect(noId.status).toBe(400)
    expect(((await noId.json()) as { error: { message: string } }).error.message).toContain('messageId')
    const client = await clientOf(agentUrl, token, 'HTTP+JSON')
    await expect(client.getTask({ tenant: '', id: 'no-such-task' })).rejects.toThrow(/not found/i)
    const api = await ApiClient.fromDataDir(dataDir())
    const status = await api.get<{ a2a: { inbound: { refused: { byReason: Record<string, number> } } } }>('/v1/status')
    expect(status.a2a.inbound.refused.byReason).toMatchObject({ unauthorized: 2, no_such_agent: 1, bad_request: 2, not_found: 1 })
    const text = await runCli(['status', '--data-dir', dataDir()])
    expect(text.stdout).toMatch(new RegExp(`^a2a +${node.started.a2a ?? ''} \\(1 agent, \\d+ tasks kept, 0 running, 6 refused\\)$`, 'm'))
    expect(textOf(asTask(await client.sendMessage({ tenant: '', message: message('still here'), configuration: undefined, metadata: undefined })))).toBe('echo: still here')
  })

  it('keeps its tasks across a restart of the node, fails those the stop interrupted, and oa-node check reads them', async () => {
    const client = await clientOf(agentUrl, token, 'JSONRPC')
    const task = asTask(await client.sendMessage({ tenant: '', message: message('remember me'), configuration: undefined, metadata: undefined }))
    const interrupted = asTask(await client.sendMessage({ tenant: '', message: message('wait across the restart'), configuration: { returnImmediately: true, acceptedOutputModes: [], taskPushNotificationConfig: undefined }, metadata: undefined }))
    expect(await node.stop()).toBe(0)
    const check = await runCli(['check', '--json', '--data-dir', dataDir()])
    expect(check.code).toBe(0)
    const report = JSON.parse(check.stdout) as { a2a?: { problems: string[], tasks: number } }
    expect(report.a2a?.problems).toEqual([])
    expect(report.a2a?.tasks).toBeGreaterThan(0)
    node = await startNodeProcess(['--data-dir', dataDir(), ...LOOPBACK])
    agentUrl = `${node.started.a2a ?? ''}/agents/echo`
    const again = await clientOf(agentUrl, token, 'HTTP+JSON')
    const kept = await again.getTask({ tenant: '', id: task.id })
    expect(kept.status?.state).toBe(TaskState.TASK_STATE_COMPLETED)
    expect(textOf(kept)).toBe('echo: remember me')
    const ended = await again.getTask({ tenant: '', id: interrupted.id })
    expect(ended.status?.state).toBe(TaskState.TASK_STATE_FAILED)
    expect(ended.status?.message?.parts.map(p => p.content?.$case === 'text' ? p.content.value : '')).toEqual(['the node stopped while this task ran; send the message again'])
  })
})

describe('A2A gateway settings', () => {
  it('rejects a message beyond a2a.maxRunningTasks, counts it, and takes messages again once a task ends', async () => {
    const dir = await tempDir()
    let node: NodeProcess | undefined
    try {
      const yaml = join(dir.path, 'node.yaml')
      await writeFile(yaml, `a2a:\n  maxRunningTasks: 1\nagents:\n  - { name: echo, module: ${join(import.meta.dirname, '..', 'fixtures', 'agents', 'patient-echo.mjs')}, community: lobby }\n`)
      node = await startNodeProcess(['--config', yaml, '--a2a-port', '0', '--data-dir', join(dir.path, 'n'), '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0'])
      const token = (await readFile(join(dir.path, 'n', 'a2a.token'), 'utf8')).trim()
      const client = await clientOf(`${node.started.a2a ?? ''}/agents/echo`, token, 'JSONRPC')
      const later = { returnImmediately: true, acceptedOutputModes: [], taskPushNotificationConfig: undefined }
      const slow = asTask(await client.sendMessage({ tenant: '', message: message('wait here'), configuration: later, metadata: undefined }))
      await waitFor('the slow task runs', async () => (await client.getTask({ tenant: '', id: slow.id })).status?.state === TaskState.TASK_STATE_WORKING)
      const refused = asTask(await client.sendMessage({ tenant: '', message: message('one more'), configuration: undefined, metadata: undefined }))
      expect(refused.status?.state).toBe(TaskState.TASK_STATE_REJECTED)
      expect(refused.status?.message?.parts[0]?.content).toEqual({ $case: 'text', value: 'the gateway runs 1 tasks already (a2a.maxRunningTasks); send the message again later' })
      const status = await (await ApiClient.fromDataDir(join(dir.path, 'n'))).get<{ a2a: { inbound: { active: number, refused: { byReason: Record<string, number> } } } }>('/v1/status')
      expect(status.a2a.inbound.active).toBe(1)
      expect(status.a2a.inbound.refused.byReason.busy).toBe(1)
      await client.cancelTask({ tenant: '', id: slow.id, metadata: undefined })
      expect(textOf(asTask(await client.sendMessage({ tenant: '', message: message('now'), configuration: undefined, metadata: undefined })))).toBe('echo: now')
    } finally {
      await node?.stop()
      await dir.cleanup()
    }
  })

  it('refuses an unknown a2a key, a bad host and a port in use, naming each', async () => {
    const dir = await tempDir()
    try {
      const yaml = join(dir.path, 'bad.yaml')
      await writeFile(yaml, 'a2a:\n  prot: 7790\n')
      const unknown = await runCli(['start', '--config', yaml, '--data-dir', join(dir.path, 'x'), '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0'])
      expect(unknown.code).toBe(2)
      expect(unknown.stderr).toContain('a2a.prot: unknown key')
      const host = await runCli(['start', '--a2a-host', 'example', '--a2a-port', '0', '--data-dir', join(dir.path, 'x'), '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0'])
      expect(host.code).toBe(2)
      expect(host.stderr).toContain('--a2a-host: expected an IP address')
      const busy = await startNodeProcess(['--a2a-port', '0', '--data-dir', join(dir.path, 'b1'), '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0'])
      const port = new URL(busy.started.a2a ?? '').port
      const taken = await runCli(['start', '--a2a-port', port, '--data-dir', join(dir.path, 'b2'), '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0'])
      await busy.stop()
      expect(taken.code).toBe(1)
      expect(taken.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`)
    } finally {
      await dir.cleanup()
    }
  })
})
