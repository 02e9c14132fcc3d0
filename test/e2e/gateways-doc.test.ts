import { spawn } from 'node:child_process'
import { readFile, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { describe, expect, it } from 'vitest'
import { BIN, runCli, runProcess, startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'

const ROOT = join(import.meta.dirname, '..', '..')
const C = 'devsupport'

/** The code blocks of a language in a Markdown file, in order. */
async function blocks (file: string, lang: string): Promise<string[]> {
  const text = await readFile(join(ROOT, file), 'utf8')
  return [...text.matchAll(new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```', 'gm'))].map(m => m[1] ?? '')
}

describe('docs/gateways.md, as a user copies it', () => {
  it('the WebSocket agent in Node.js registers, answers the doc\'s `oa-node ask` from another node, and replies pong to a ping', async () => {
    const [agent] = await blocks('docs/gateways.md', 'js')
    const ask = (await blocks('docs/gateways.md', 'sh')).find(b => b.includes('ask devsupport/echo'))
    expect(agent).toContain("import WebSocket from 'ws'")
    expect(ask).toBeDefined()
    const dir = await tempDir()
    // the doc's paths are relative to where the user runs them: ./n1, ./n2, echo-agent.mjs; `ws` comes from this checkout
    await symlink(join(ROOT, 'node_modules'), join(dir.path, 'node_modules'))
    await writeFile(join(dir.path, 'echo-agent.mjs'), agent ?? '')
    const loopback = ['--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0', '--community', C]
    const n1 = await startNodeProcess(['--data-dir', join(dir.path, 'n1'), ...loopback])
    const n2 = await startNodeProcess(['--data-dir', join(dir.path, 'n2'), ...loopback, '--bootstrap', n1.started.multiaddrs.find(a => !a.includes('/ws')) ?? ''])
    const proc = spawn(process.execPath, ['echo-agent.mjs', './n1'], { cwd: dir.path, stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    proc.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    try {
      const registered = await new Promise<string>((resolve, reject) => {
        proc.once('exit', (code) => { reject(new Error(`the agent exited with ${code ?? '?'}: ${stderr}`)) })
        createInterface({ input: proc.stdout }).on('line', (line) => { if (line.startsWith('registered as')) resolve(line) })
      })
      expect(registered).toBe(`registered as echo@${n1.started.peerId}`)
      // the doc's command, run as written from the folder the user is in
      const [command, ...args] = (ask ?? '').split('#')[0]?.trim().split(/\s+/) ?? []
      expect([command, args[0]]).toEqual(['npx', 'oa-node'])
      const answered = await waitFor('the doc\'s ask is answered through the DHT', async () => {
        const r = await runProcess(process.execPath, [BIN, ...args.slice(1).map(a => a.replace(/^"|"$/g, ''))], { cwd: dir.path })
        return r.code === 0 ? r : undefined
      }, 60_000, 1000)
      expect(answered.stdout).toContain('echo: hello')

      const ping = await runCli(['post', `${C}/general`, 'ping', '--data-dir', join(dir.path, 'n2')])
      expect(ping.code, ping.stderr).toBe(0)
      await waitFor('the agent\'s pong reaches n2', async () => (await runCli(['history', `${C}/general`, '--data-dir', join(dir.path, 'n2'), '--json'])).stdout.includes('pong'), 30_000, 500)
      expect(stderr).not.toContain('refused:')
    } finally {
      proc.kill()
      await n2.stop()
      await n1.stop()
      await dir.cleanup()
    }
  }, 120_000)
})
