import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient } from '../../src/api/client.js'
import { runProcess, startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import type { NodeProcess } from '../helpers/cli.js'

const CONFIG = join(import.meta.dirname, '..', 'fixtures', 'a2a', 'node.yaml')
const SCRIPT = join(import.meta.dirname, '..', 'fixtures', 'a2a', 'python_client.py')
// .ci/run installs the official Python SDK (a2a-sdk, from PyPI) there and sets A2A_PYTHON
const PYTHON = process.env.A2A_PYTHON ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'oa-node', 'a2a-venv', 'bin', 'python')

interface PythonReport {
  binding: string
  card: { name: string, skills: string[], schemes: Record<string, string>, bindings: string[], signed: number }
  send: { id: string, state: string, answer: string }
  get: { id: string, state: string }
  list: string[]
  slow: { state: string }
  cancel: { id: string, state: string }
  stream: string[]
  noToken: string
}

if (!existsSync(PYTHON)) {
  console.log(`skipping the Python A2A client test: no Python with a2a-sdk at ${PYTHON} (.ci/run installs it and sets A2A_PYTHON)`)
  describe('the official Python A2A client against the gateway', () => {
    it.skip('needs A2A_PYTHON', () => {})
  })
} else {
  describe('the official Python A2A client (a2a-sdk) against the inbound gateway of a node process', () => {
    let dir: { path: string, cleanup: () => Promise<void> }
    let node: NodeProcess
    let token: string

    beforeAll(async () => {
      dir = await tempDir()
      node = await startNodeProcess(['--data-dir', join(dir.path, 'n1'), '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0', '--a2a-port', '0', '--config', CONFIG])
      token = (await readFile(join(dir.path, 'n1', 'a2a.token'), 'utf8')).trim()
    })

    afterAll(async () => {
      await node?.stop()
      await dir.cleanup()
    })

    for (const binding of ['JSONRPC', 'HTTP+JSON']) {
      it(`over ${binding}: reads the signed card, sends, streams, gets, lists and cancels tasks, and is refused without the token`, async () => {
        const run = await runProcess(PYTHON, [SCRIPT, `${node.started.a2a ?? ''}/agents/echo`, token, binding], { timeoutMs: 60_000 })
        expect(run.stderr).toBe('')
        expect(run.code).toBe(0)
        const report = JSON.parse(run.stdout) as PythonReport
        expect(report.card).toEqual({ name: 'echo', skills: ['echo', 'patience'], schemes: { oaBearer: 'Bearer' }, bindings: ['JSONRPC', 'HTTP+JSON'], signed: 1 })
        expect(report.send).toEqual({ id: expect.any(String) as unknown, state: 'TASK_STATE_COMPLETED', answer: 'echo: ping from python' })
        expect(report.get).toEqual({ id: report.send.id, state: 'TASK_STATE_COMPLETED' })
        expect(report.list).toContain(report.send.id)
        expect(report.slow.state).not.toBe('TASK_STATE_COMPLETED')
        expect(report.cancel.state).toBe('TASK_STATE_CANCELED')
        expect(report.stream).toEqual(['task', 'status:TASK_STATE_WORKING', 'artifact:echo: stream to python', 'status:TASK_STATE_COMPLETED'])
        expect(report.noToken).toMatch(/401/)
      })
    }

    it('counted the Python client\'s requests without a token', async () => {
      const status = await (await ApiClient.fromDataDir(join(dir.path, 'n1'))).get<{ a2a: { inbound: { refused: { byReason: Record<string, number> } } } }>('/v1/status')
      expect(status.a2a.inbound.refused.byReason.unauthorized).toBe(2)
    })
  })
}
