import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { dependencySpec, packageName, ScaffoldError, scaffoldProject } from '../../src/cli/init/scaffold.js'
import { PACKAGE_ROOT } from '../../src/version.js'
import { tempDir } from '../helpers/tmp.js'

describe('oa-node init: the project scaffold', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  beforeEach(async () => { dir = await tempDir('oa-scaffold-') })
  afterEach(async () => { await dir.cleanup() })

  it('names the package after its folder, as npm accepts names', () => {
    expect(packageName('My Agents!')).toBe('my-agents')
    expect(packageName('.hidden_bots')).toBe('hidden_bots')
    expect(packageName('___')).toBe('my-agents')
  })

  it('depends on this oa-node by default; paths become absolute file: specs, other specs stay', async () => {
    expect(dependencySpec(undefined)).toBe(`file:${PACKAGE_ROOT}`)
    await writeFile(join(dir.path, 'oa-node-0.1.0.tgz'), '')
    expect(dependencySpec('./oa-node-0.1.0.tgz', dir.path)).toBe(`file:${join(dir.path, 'oa-node-0.1.0.tgz')}`)
    expect(dependencySpec('file:../oa-node')).toBe('file:../oa-node')
    expect(dependencySpec('github:someone/oa-node')).toBe('github:someone/oa-node')
    expect(() => dependencySpec('../missing', dir.path)).toThrow(ScaffoldError)
    expect(() => dependencySpec(' ')).toThrow('--oa-node: the dependency is empty')
  })

  it('fills the agent and community names into the files it makes', async () => {
    const made = await scaffoldProject({ dir: join(dir.path, 'bots'), agent: 'helper_1', community: 'lobby' })
    expect(made.files).toEqual(['.gitignore', 'README.md', 'agents/helper_1.js', 'node.yaml', 'package.json', 'test/helper_1.test.js'])
    const yaml = await readFile(join(made.dir, 'node.yaml'), 'utf8')
    expect(yaml).toContain('communities: [lobby]')
    expect(yaml).toContain('module: ./agents/helper_1.js')
    expect(yaml).not.toContain('__')
    const readme = await readFile(join(made.dir, 'README.md'), 'utf8')
    expect(readme).toContain('# bots')
    expect(readme).not.toMatch(/__[A-Z]+__/)
  })

  it('refuses a folder that is not empty and writes nothing into it', async () => {
    const full = join(dir.path, 'full')
    await mkdir(full)
    await writeFile(join(full, 'package.json'), '{}')
    await expect(scaffoldProject({ dir: full })).rejects.toThrow(`${full} is not empty (package.json)`)
    expect(await readdir(full)).toEqual(['package.json'])
    await expect(scaffoldProject({ dir: join(dir.path, 'x'), community: 'Not OK' })).rejects.toThrow('--community: "Not OK" is not a community name')
  })
})
