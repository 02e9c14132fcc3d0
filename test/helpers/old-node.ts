import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

/** A Node.js older than 22 on this machine, if there is one (Debian's /usr/bin/node). */
export function oldNode (): string | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    if (!existsSync(candidate)) continue
    const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim()
    if (Number(version.slice(1).split('.')[0]) < 22) return candidate
  }
  return undefined
}
