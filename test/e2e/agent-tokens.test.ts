import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentTokens } from '../../src/gateway/remote/tokens.js'
import { runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'

describe('oa-node agents token, with no node running', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let dataDir: string

  beforeAll(async () => {
    dir = await tempDir()
    dataDir = join(dir.path, 'n1')
  })

  afterAll(async () => { await dir.cleanup() })

  it('issues a token that registers one agent name, keeping only its digest in a 0600 file', async () => {
    const issued = await runCli(['agents', 'token', 'py_worker', '--community', 'devsupport', '--data-dir', dataDir])
    expect(issued.code, issued.stderr).toBe(0)
    const token = issued.stdout.trim()
    expect(token).toMatch(/^oaa_[0-9a-f]{64}$/)
    expect(issued.stderr).toContain('it registers only that agent')
    const file = join(dataDir, 'agent-tokens.json')
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(await readFile(file, 'utf8')).not.toContain(token.slice(4))
    expect(await new AgentTokens(dataDir).verify(token)).toEqual({ agent: 'py_worker', community: 'devsupport' })

    const again = await runCli(['agents', 'token', 'py_worker', '--json', '--data-dir', dataDir])
    const { token: second } = JSON.parse(again.stdout) as { token: string }
    expect(await new AgentTokens(dataDir).verify(token)).toBeUndefined()
    expect(await new AgentTokens(dataDir).verify(second)).toEqual({ agent: 'py_worker' })
  })

  it('revokes it, and says so when there is nothing to revoke or the name is bad', async () => {
    const revoked = await runCli(['agents', 'token', 'py_worker', '--revoke', '--data-dir', dataDir])
    expect(revoked.code, revoked.stderr).toBe(0)
    expect(revoked.stdout).toContain('revoked the token of py_worker')
    expect(await new AgentTokens(dataDir).list()).toEqual([])
    const nothing = await runCli(['agents', 'token', 'py_worker', '--revoke', '--data-dir', dataDir])
    expect(nothing.code).toBe(2)
    expect(nothing.stderr).toContain('py_worker has no token')
    const bad = await runCli(['agents', 'token', 'not a name', '--data-dir', dataDir])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('"not a name" is not an agent name')
  })

  it('refuses to guess with a damaged token file, naming it', async () => {
    await writeFile(join(dataDir, 'agent-tokens.json'), '{"version": 2}')
    const issued = await runCli(['agents', 'token', 'py_worker', '--data-dir', dataDir])
    expect(issued.code).toBe(1)
    expect(issued.stderr).toContain('agent-tokens.json is not a token file')
  })
})
