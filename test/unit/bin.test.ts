import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'oa-node')

/** A Node.js older than 22 on this machine, if there is one (Debian's /usr/bin/node). */
function oldNode (): string | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    if (!existsSync(candidate)) continue
    const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim()
    if (Number(version.slice(1).split('.')[0]) < 22) return candidate
  }
  return undefined
}

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
