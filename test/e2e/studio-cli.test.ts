import { chmod, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { NodeProcess } from '../helpers/cli.js'

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0']

describe('oa-node studio', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let node: NodeProcess
  let dataDir: string

  beforeAll(async () => {
    dir = await tempDir()
    dataDir = join(dir.path, 'n1')
    node = await startNodeProcess(['--data-dir', dataDir, ...LOOPBACK])
  })

  afterAll(async () => {
    await node.stop()
    await dir.cleanup()
  })

  async function signInWith (link: string): Promise<string> {
    const res = await fetch(link, { redirect: 'manual' })
    expect(res.status).toBe(303)
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
    const status = await fetch(new URL('/v1/status', link), { headers: { cookie } })
    expect(status.status).toBe(200)
    return cookie
  }

  it('prints a one-time sign-in link with --no-open; the link signs a browser in once', async () => {
    const result = await runCli(['studio', '--no-open', '--json', '--data-dir', dataDir])
    expect(result.code).toBe(0)
    const printed = JSON.parse(result.stdout) as { studio: string, signIn: string, expiresAt: string }
    expect(printed.studio).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/studio\/$/)
    expect(printed.signIn.startsWith(`${printed.studio}sign-in?code=`)).toBe(true)
    const token = (await readFile(join(dataDir, 'api.token'), 'utf8')).trim()
    expect(printed.signIn).not.toContain(token)
    await signInWith(printed.signIn)
    expect((await fetch(printed.signIn, { redirect: 'manual' })).status).toBe(401)
  })

  it('opens the sign-in link in the browser $BROWSER names', async () => {
    const opened = join(dir.path, 'opened.txt')
    const browser = join(dir.path, 'browser.sh')
    await writeFile(browser, `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`)
    await chmod(browser, 0o755)
    const result = await runCli(['studio', '--data-dir', dataDir], { env: { BROWSER: browser } })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('opened in your browser')
    const link = await waitFor('the browser to be given the link', async () => (await readFile(opened, 'utf8').catch(() => '')).trim() || undefined)
    expect(result.stdout).toContain(link)
    await signInWith(link)
  })

  it('says so when no browser can be started, and still prints the link', async () => {
    const result = await runCli(['studio', '--data-dir', dataDir], { env: { BROWSER: join(dir.path, 'no-such-browser') } })
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('could not open a browser')
    expect(result.stdout).toMatch(/sign in {2}http:\/\/127\.0\.0\.1:\d+\/studio\/sign-in\?code=/)
  })

  it('names the data dir when no node runs there', async () => {
    const result = await runCli(['studio', '--no-open', '--data-dir', join(dir.path, 'nobody')])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('no running oa-node found')
  })
})
