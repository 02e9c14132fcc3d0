import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shellBlocks } from '../helpers/readme.js'

const ROOT = join(import.meta.dirname, '..', '..')
const README = await readFile(join(ROOT, 'README.md'), 'utf8')
const BLOCKS = shellBlocks(README)
const DEFAULT_TIMEOUT_S = 120

/** Environment variables of the machine that would change what the README's commands do. */
const CLEARED = /^(OA_|OPENAI_|MILVUS_|DEBUG$|npm_)/

interface BlockResult { code: number | null, output: string, timedOut: boolean }

/** Runs one block with bash (-euo pipefail) in its own process group, bounded in time. */
async function runBlock (script: string, cwd: string, home: string, timeoutS: number): Promise<BlockResult> {
  // the PATH of a user's shell: without this checkout's node_modules/.bin, which `npm test` adds
  const path = (process.env.PATH ?? '').split(':').filter(p => !p.startsWith(join(ROOT, 'node_modules'))).join(':')
  const env: NodeJS.ProcessEnv = { PATH: path, HOME: home, LANG: 'C.UTF-8', TERM: 'dumb' }
  for (const [key, value] of Object.entries(process.env)) if (!CLEARED.test(key) && !(key in env) && !/^(VITEST|NODE_OPTIONS)/.test(key)) env[key] = value
  const proc = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  proc.stdout.on('data', (d: Buffer) => { output += d.toString() })
  proc.stderr.on('data', (d: Buffer) => { output += d.toString() })
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    try {
      process.kill(-(proc.pid ?? 0), 'SIGKILL')
    } catch {
      // the group has exited already
    }
  }, timeoutS * 1000)
  const code = await new Promise<number | null>(resolve => proc.once('close', (c) => { resolve(c) }))
  clearTimeout(timer)
  return { code, output, timedOut }
}

/** Stops every node a block left running in the work dir (their api.json names the pid). */
async function stopLeftNodes (dir: string): Promise<number> {
  let stopped = 0
  const walk = async (d: string, depth: number): Promise<void> => {
    if (depth > 4) return
    for (const entry of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const path = join(d, entry.name)
      if (entry.isDirectory() && !entry.isSymbolicLink() && entry.name !== 'node_modules') await walk(path, depth + 1)
      else if (entry.name === 'api.json') {
        const pid = (JSON.parse(await readFile(path, 'utf8')) as { pid?: number }).pid
        if (pid != null) {
          try {
            process.kill(pid, 'SIGKILL')
            stopped++
          } catch {
            // stale api.json: its process has exited
          }
        }
      }
    }
  }
  await walk(dir, 0)
  return stopped
}

describe('README.md, run top to bottom as a new user would', () => {
  let work: string
  let home: string

  beforeAll(async () => {
    // inside the checkout, so `npx oa-node` finds this project as it does for a user in a clone
    await mkdir(join(ROOT, '.readme-run'), { recursive: true })
    work = await mkdtemp(join(ROOT, '.readme-run', 'run-'))
    home = join(work, '.home')
    await mkdir(home)
    for (const shared of ['config', 'examples']) await symlink(join(ROOT, shared), join(work, shared))
  })

  afterAll(async () => {
    await stopLeftNodes(work)
    await rm(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  })

  it('has shell blocks to run, and says why for each one it only shows', () => {
    expect(BLOCKS.filter(b => b.shownBecause == null).length).toBeGreaterThanOrEqual(8)
    for (const b of BLOCKS.filter(b => b.shownBecause != null)) expect(b.shownBecause?.length ?? 0).toBeGreaterThan(5)
  })

  for (const block of BLOCKS.filter(b => b.shownBecause == null)) {
    const timeoutS = block.timeoutS ?? DEFAULT_TIMEOUT_S
    it(`runs the block at line ${block.line} (${block.section})`, async () => {
      const result = await runBlock(block.script, work, home, timeoutS)
      const left = await stopLeftNodes(work)
      const why = `README.md line ${block.line} ${result.timedOut ? `timed out after ${timeoutS}s` : `exited with ${result.code}`}:\n${block.script}\n--- output ---\n${result.output}`
      expect(result.timedOut, why).toBe(false)
      expect(result.code, why).toBe(0)
      // a block stops what it starts, so the next one finds its ports free
      expect(left, `README.md line ${block.line} left ${left} node(s) running`).toBe(0)
    }, (timeoutS + 30) * 1000)
  }
})
