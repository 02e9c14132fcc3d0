import { existsSync, realpathSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { delimiter, dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, runProcess, startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import type { NodeProcess } from '../helpers/cli.js'

const ROOT = join(import.meta.dirname, '..', '..')
const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0']
// npm, `npm test` and the project's bin run on the Node that runs these tests, as
// they would on the user's Node
const ENV = { PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` }

describe('a project of your own agents, made by `oa-node init`', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let project: string
  let node: NodeProcess | undefined

  beforeAll(async () => {
    dir = await tempDir('oa-init-')
    project = join(dir.path, 'my-agents')
  })

  afterAll(async () => {
    await node?.stop()
    await dir.cleanup()
  })

  it('makes package.json, node.yaml, the agent, its test and a README, and says what to run next', async () => {
    const r = await runCli(['init', project], { cwd: dir.path })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const files = ['.gitignore', 'README.md', 'agents/faq.js', 'node.yaml', 'package.json', 'test/faq.test.js']
    for (const file of files) {
      expect(existsSync(join(project, file)), file).toBe(true)
      expect(r.stdout).toContain(file)
    }
    expect(r.stdout).toContain('cd my-agents && npm install && npm test')
    expect(r.stdout).toContain('npx oa-node start --config node.yaml')
    const pkg = JSON.parse(await readFile(join(project, 'package.json'), 'utf8')) as { type: string, scripts: Record<string, string>, dependencies: Record<string, string> }
    expect(pkg.type).toBe('module')
    expect(pkg.dependencies).toEqual({ 'oa-node': `file:${ROOT}` })
    expect(Object.keys(pkg.scripts).sort()).toEqual(['start', 'test'])
    expect(await readFile(join(project, 'node.yaml'), 'utf8')).toContain('module: ./agents/faq.js')
    expect(await readFile(join(project, 'agents', 'faq.js'), 'utf8')).toContain("import { Agent } from 'oa-node'")
  })

  it('installs offline: the dependency is a link to this checkout, with its bin', async () => {
    // --ignore-scripts: the link's `prepare` would rebuild this checkout's dist/ while
    // other test files run it (e2e tests run after a build)
    const r = await runProcess('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: project, env: ENV, timeoutMs: 120_000 })
    expect(r.code, r.stderr).toBe(0)
    expect(realpathSync(join(project, 'node_modules', 'oa-node'))).toBe(realpathSync(ROOT))
    expect(existsSync(join(project, 'node_modules', '.bin', 'oa-node'))).toBe(true)
  })

  it('its own `npm test` starts a node in-process and the agent answers', async () => {
    const r = await runProcess('npm', ['test'], { cwd: project, env: ENV, timeoutMs: 120_000 })
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0)
    expect(r.stdout).toMatch(/pass 3/)
    expect(r.stdout).toMatch(/fail 0/)
  })

  it('its node.yaml runs the agent through the project\'s own oa-node bin, and `oa-node ask` gets its answer', async () => {
    const bin = join(project, 'node_modules', '.bin', 'oa-node')
    const data = join(dir.path, 'node')
    node = await startNodeProcess(['--config', 'node.yaml', '--data-dir', data, ...LOOPBACK], ENV, { bin, cwd: project })
    expect(node.started.communities).toEqual(['my-community'])
    const r = await runCli(['ask', 'my-community/faq', 'How do I find agents by capability?', '--data-dir', data], { bin, cwd: project, env: ENV })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('oa-node agents --capability <name>')
    expect(await node.stop()).toBe(0)
    node = undefined
  })

  it('refuses a folder that is not empty, a bad agent name and a missing oa-node, with exit code 2', async () => {
    const full = join(dir.path, 'full')
    await mkdir(full)
    await writeFile(join(full, 'notes.txt'), 'mine')
    const r = await runCli(['init', full])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`${full} is not empty (notes.txt)`)
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(await readdir(full)).toEqual(['notes.txt'])

    const badName = await runCli(['init', join(dir.path, 'bad-name'), '--agent', 'no spaces'])
    expect(badName.code).toBe(2)
    expect(badName.stderr).toContain('--agent: "no spaces" is not an agent name')
    expect(existsSync(join(dir.path, 'bad-name'))).toBe(false)

    const missing = await runCli(['init', join(dir.path, 'missing'), '--oa-node', './nowhere/oa-node-0.1.0.tgz'], { cwd: dir.path })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('--oa-node: ./nowhere/oa-node-0.1.0.tgz: no such folder or tarball')

    const file = join(dir.path, 'full', 'notes.txt')
    const onFile = await runCli(['init', file])
    expect(onFile.code).toBe(2)
    expect(onFile.stderr).toContain(`${file} is a file, not a folder`)
  })
})
