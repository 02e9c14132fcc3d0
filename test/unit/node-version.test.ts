import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { assertNodeVersion, MIN_NODE_VERSION, nodeVersionProblem, NodeVersionError } from '../../src/runtime/node-version.js'
import { oldNode } from '../helpers/old-node.js'

const ROOT = join(import.meta.dirname, '..', '..')
const ENTRY = pathToFileURL(join(ROOT, 'dist', 'src', 'index.js')).href

/** Imports the built library in a child process and prints what happened as one JSON line. */
const IMPORT_SCRIPT = `import(${JSON.stringify(ENTRY)}).then(
  (m) => { console.log(JSON.stringify({ loaded: typeof m.createNode })) },
  (err) => { console.log(JSON.stringify({ name: err.name, code: err.code, message: err.message })) }
)`


function importWith (node: string, preload: string[] = []): { name?: string, code?: string, message?: string, loaded?: string } {
  const result = spawnSync(node, [...preload, '--input-type=module', '-e', IMPORT_SCRIPT], { encoding: 'utf8', timeout: 60_000 })
  const line = result.stdout.trim().split('\n').pop() ?? ''
  expect(line, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).toMatch(/^\{/)
  return JSON.parse(line) as { name?: string, code?: string, message?: string, loaded?: string }
}

describe('the Node.js version check', () => {
  it('accepts 22.13 and newer, refuses older ones naming the version needed and the one running', () => {
    for (const ok of ['22.13.0', '22.13.1', '22.20.0', '23.0.0', '24.21.0', '30.1.2']) expect(nodeVersionProblem(ok), ok).toBeUndefined()
    for (const old of ['22.12.0', '22.0.0', '21.99.0', '20.20.2', '18.0.0']) {
      expect(nodeVersionProblem(old), old).toMatch(new RegExp(`^oa-node needs Node\\.js 22\\.13 or newer \\(this is v${old.replaceAll('.', '\\.')}\\)`))
    }
    expect(nodeVersionProblem('not a version')).toMatch(/needs Node\.js 22\.13 or newer/)
  })

  it('assertNodeVersion throws NodeVersionError on an old version only', () => {
    expect(() => { assertNodeVersion('20.20.2') }).toThrow(NodeVersionError)
    expect(() => { assertNodeVersion('22.13.0') }).not.toThrow()
    expect(() => { assertNodeVersion() }).not.toThrow()
  })

  it('bin/oa-node checks the same minimum', () => {
    const bin = readFileSync(join(ROOT, 'bin', 'oa-node'), 'utf8')
    const match = /const MIN = \[(\d+), (\d+)\]/.exec(bin)
    expect(match?.slice(1).map(Number)).toEqual([...MIN_NODE_VERSION])
  })

  it('importing the library where Node.js reports an old version throws NodeVersionError, not a failure of a newer API', () => {
    // the pinned Node.js, told it is 20.20.2: what the library checks is the version it reports
    const faked = importWith(process.execPath, ['--import', 'data:text/javascript,Object.defineProperty(process,"versions",{value:{...process.versions,node:"20.20.2"}})'])
    expect(faked).toEqual({ name: 'NodeVersionError', message: nodeVersionProblem('20.20.2') })
  })

  it('the library loads on the pinned Node.js', () => {
    expect(importWith(process.execPath)).toEqual({ loaded: 'function' })
  })
})

const old = oldNode()
if (old == null) console.log('skipping the real old-Node import: no Node.js < 22 is installed on this machine')

describe('the library on a real old Node.js', () => {
  it.skipIf(old == null)('refuses with NodeVersionError, before node:sqlite is linked', () => {
    const version = execFileSync(old ?? 'node', ['--version'], { encoding: 'utf8' }).trim().slice(1)
    expect(importWith(old ?? 'node')).toEqual({ name: 'NodeVersionError', message: nodeVersionProblem(version) })
  })
})
