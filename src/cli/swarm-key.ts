import { resolve } from 'node:path'
import { writeNewSwarmKey, newSwarmKey } from '../node/swarm-key.js'
import { UsageError } from './errors.js'
import { print, printJson } from './format.js'

export interface SwarmKeyFlags {
  out?: string
  json?: boolean
}

/**
 * `oa-node swarm-key generate`: a new swarm key for a private network, written to
 * `--out` (mode 0600, never over an existing file) or printed.
 */
export async function swarmKeyGenerateCommand (flags: SwarmKeyFlags): Promise<number> {
  if (flags.out == null) {
    process.stdout.write(newSwarmKey())
    return 0
  }
  const path = resolve(flags.out)
  try {
    await writeNewSwarmKey(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${path} exists already; a swarm key is never overwritten (remove it first, or choose another --out)`)
    throw err
  }
  if (flags.json === true) printJson({ swarmKey: path })
  else print(`wrote a new swarm key to ${path}\nset network.swarmKey: ${path} (or --swarm-key ${path}) on every node of the private network`)
  return 0
}
