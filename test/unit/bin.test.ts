import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { oldNode } from '../helpers/old-node.js'

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'oa-node')


const old = oldNode()
if (old == null) console.log('skipping the old-Node check: no Node.js < 22 is installed on this machine')

describe('bin/oa-node', () => {
  it.skipIf(old == null)('refuses Node < 22 with one line saying what to do, exit 1', () => {
    const result = spawnSync(old ?? 'node', [BIN, '--help'], { encoding: 'utf8' })
    expect(result.status).toBe(1)
    expect(result.stdout).toBe('')
    const lines = result.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/Node\.js 22\.13 or newer is required/)
    expect(lines[0]).toMatch(/npx/)
  })

  it('runs on the pinned Node', () => {
    const result = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' })
    expect(result.status).toBe(0)
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/)
  })
})
