import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import type { Browser, BrowserContext, Page } from 'playwright-core'

// .ci/run installs Debian's chromium and sets CHROMIUM_PATH
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const HAVE_CHROMIUM = existsSync(CHROMIUM)
if (!HAVE_CHROMIUM) console.log(`skipping the Studio's browser tests: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH; .ci/run does)`)

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync']
/** The current screenshots of each page, shown in docs/studio.md. */
const SHOTS = join(import.meta.dirname, '..', '..', 'docs', 'studio')
const WAIT_MS = 30_000

interface DemoNode { name: string, studio: string, dataDir: string }

/** `oa-node demo --data-dir D`, as a user starts it, up to its question prompt. */
async function startDemo (dataDir: string): Promise<{ proc: ChildProcessWithoutNullStreams, nodes: DemoNode[], signIn: string, output: () => string }> {
  // on the embedded store: a shared Milvus (MILVUS_ADDRESS in CI) belongs to the Milvus suites and the neural demo test
  const { MILVUS_ADDRESS: _milvus, ...env } = process.env
  const proc = spawn(process.execPath, [BIN, 'demo', '--data-dir', dataDir], { stdio: ['pipe', 'pipe', 'pipe'], env })
  let output = ''
  proc.stderr.on('data', (d: Buffer) => { output += d.toString() })
  const nodes: DemoNode[] = []
  let signIn = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`the demo did not reach its prompt within 120 s:\n${output}`)) }, 120_000)
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the demo exited with ${code}:\n${output}`)) })
    createInterface({ input: proc.stdout }).on('line', (line) => {
      output += `${line}\n`
      const node = /^ {2}(\S+) {2}(http:\/\/127\.0\.0\.1:\d+\/studio\/) {3}sign in: .* --data-dir (\S+)$/.exec(line)
      if (node != null) nodes.push({ name: node[1] ?? '', studio: node[2] ?? '', dataDir: node[3] ?? '' })
      const link = /signed in \(once, within 2 minutes\): (\S+)$/.exec(line)
      if (link != null) signIn = link[1] ?? ''
      if (line.startsWith('Ask a question')) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  return { proc, nodes, signIn, output: () => output }
}

describe.skipIf(!HAVE_CHROMIUM)('the Studio in Chromium, on the demo\'s three nodes', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let demo: Awaited<ReturnType<typeof startDemo>>
  let browser: Browser
  let first: BrowserContext
  let second: BrowserContext
  let n1: Page
  let n2: Page

  beforeAll(async () => {
    dir = await tempDir()
    demo = await startDemo(join(dir.path, 'demo'))
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    first = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    second = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    n1 = await first.newPage()
    n2 = await second.newPage()
    n1.setDefaultTimeout(WAIT_MS)
    n2.setDefaultTimeout(WAIT_MS)
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    if (demo != null && demo.proc.exitCode == null) {
      const exited = new Promise(resolve => demo.proc.once('exit', resolve))
      // an empty line at the prompt ends the demo, which stops its nodes
      demo.proc.stdin.end('\n')
      await exited
    }
    await dir?.cleanup()
  }, 60_000)

  async function open (page: Page, name: string): Promise<void> {
    await page.getByTestId(`nav-${name}`).click()
  }

  async function shot (page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(SHOTS, `${name}.png`) })
  }

  it('prints a Studio address for each node of the demo', () => {
    expect(demo.nodes.map(n => n.name)).toEqual(['node-1', 'node-2', 'node-3'])
    expect(new Set(demo.nodes.map(n => n.studio)).size).toBe(3)
    expect(demo.signIn.startsWith(`${demo.nodes[0]?.studio ?? '-'}sign-in?code=`)).toBe(true)
  })

  it('signs in with the demo\'s one-time link and shows the node and its two peers', async () => {
    await n1.goto(demo.signIn)
    await expect.poll(() => new URL(n1.url()).pathname).toBe('/studio/')
    await n1.getByTestId('peer-row').nth(1).waitFor()
    expect(await n1.getByTestId('peer-row').count()).toBe(2)
    await shot(n1, 'overview')
  })

  it('signs in on another node with the token from its data dir, after refusing a wrong one', async () => {
    const node2 = demo.nodes[1]
    if (node2 == null) throw new Error('no node-2')
    await n2.goto(node2.studio)
    await n2.getByTestId('signin-token').fill('0'.repeat(64))
    await n2.getByTestId('signin-submit').click()
    expect(await n2.getByTestId('signin-error').textContent()).toContain('wrong API token')
    const token = (await readFile(join(node2.dataDir, 'api.token'), 'utf8')).trim()
    await n2.getByTestId('signin-token').fill(token)
    await n2.getByTestId('signin-submit').click()
    await n2.getByTestId('peer-row').nth(1).waitFor()
    await shot(n2, 'sign-in')
  })

  it('shows the network graph with the peers', async () => {
    await open(n1, 'network')
    await n1.getByTestId('network-graph').waitFor()
    expect(await n1.getByTestId('peer-row').count()).toBeGreaterThanOrEqual(2)
    await shot(n1, 'network')
  })

  it('posts in a channel on node 1 and the message appears live in node 2\'s Studio', async () => {
    await open(n2, 'channels')
    await open(n1, 'channels')
    const text = `hello from node 1's Studio ${Date.now()}`
    await n1.getByTestId('post-input').fill(text)
    await n1.getByTestId('post-submit').click()
    await n1.getByTestId('message').filter({ hasText: text }).waitFor()
    await n2.getByTestId('message').filter({ hasText: text }).waitFor()
  })

  it('watches a question routed to an expert and answered in the thread', async () => {
    await n1.getByTestId('post-input').fill('Why does my asyncio coroutine hang?')
    await n1.getByTestId('post-submit').click()
    // the coordinator's reply names the expert it routed to
    await n1.getByTestId('message').filter({ hasText: 'Asked python_expert' }).first().waitFor({ timeout: 60_000 })
    await shot(n1, 'channels')
  })

  it('searches the community\'s memory by meaning and opens a hit', async () => {
    await open(n1, 'memory')
    await n1.getByTestId('memory-search-input').fill('the event loop freezes because of a blocking call')
    await n1.getByTestId('memory-search-submit').click()
    const hit = n1.getByTestId('memory-hit').first()
    await hit.waitFor()
    const text = (await hit.textContent()) ?? ''
    expect(text).toMatch(/event loop|blocking|asyncio/)
    await hit.getByTestId('memory-open').click()
    const detail = n1.getByTestId('memory-record')
    await detail.waitFor()
    expect(await detail.textContent()).toMatch(/origin/i)
    await shot(n1, 'memory')
    // the record opens in a dialog; Escape closes it, as a keyboard user does
    await n1.keyboard.press('Escape')
    await detail.waitFor({ state: 'detached' })
  })

  it('sends a direct request to an expert on another node and reads its reply', async () => {
    await open(n1, 'agents')
    const expert = n1.getByTestId('agent-row').filter({ hasText: 'python_expert' })
    await expert.waitFor()
    await shot(n1, 'agents')
    await expert.getByRole('button', { name: 'Ask python_expert' }).click()
    await n1.getByTestId('direct-text').fill('How do I run blocking code without freezing the event loop?')
    await n1.getByTestId('direct-submit').click()
    const reply = n1.getByTestId('direct-reply')
    await reply.waitFor({ timeout: 60_000 })
    expect(await reply.textContent()).toMatch(/to_thread|executor|event loop/)
  })

  it('logs events live and filters them by type', async () => {
    await open(n1, 'events')
    await n1.getByTestId('events-type').fill('channel.')
    // the log follows the new filter once its socket is open
    await n1.locator('[data-testid="events-socket"][data-type="channel."][data-state="open"]').waitFor()
    await open(n2, 'channels')
    const text = `an event for the log ${Date.now()}`
    await n2.getByTestId('post-input').fill(text)
    await n2.getByTestId('post-submit').click()
    await n1.getByTestId('event-row').filter({ hasText: text }).waitFor()
    await shot(n1, 'events')
  })

  it('shows the forum topic of the answered question, the wiki and the trust graph', async () => {
    await open(n1, 'forum')
    await n1.getByTestId('forum-topic-row').first().waitFor()
    await shot(n1, 'forum')
    await open(n1, 'wiki')
    await n1.getByTestId('wiki-new-page').waitFor()
    await shot(n1, 'wiki')
    await open(n1, 'social')
    await n1.getByTestId('social-graph').waitFor()
    await shot(n1, 'social')
  })
})
