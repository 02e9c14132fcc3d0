import { randomBytes } from 'node:crypto'
import { open, readFile } from 'node:fs/promises'
import { ConfigError } from '../config/errors.js'

/** The first two lines of a swarm key file (the go-ipfs / libp2p pnet format, v1). */
const HEADER = '/key/swarm/psk/1.0.0/\n/base16/\n'

/** A new swarm key file's text: the header, then 32 random bytes in hex. */
export function newSwarmKey (): string {
  return `${HEADER}${randomBytes(32).toString('hex')}\n`
}

/**
 * Reads and checks a swarm key file (`network.swarmKey`). A missing file or one that is
 * not a v1 pre-shared key is a ConfigError naming the file.
 *
 * @example
 * ```ts
 * const psk = await readSwarmKey('/etc/oa-node/swarm.key')
 * ```
 */
export async function readSwarmKey (path: string): Promise<Uint8Array> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new ConfigError([`network.swarmKey: cannot read the swarm key file ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`])
  }
  const lines = text.split(/\r\n|\r|\n/).map(l => l.trim())
  if (lines[0] !== '/key/swarm/psk/1.0.0/' || lines[1] !== '/base16/' || !/^[0-9a-fA-F]{64}$/.test(lines[2] ?? '') || lines.slice(3).some(l => l !== '')) {
    throw new ConfigError([`network.swarmKey: ${path} is not a swarm key (expected "/key/swarm/psk/1.0.0/", "/base16/" and 64 hex digits on three lines; make one with oa-node swarm-key generate)`])
  }
  // the pnet protector parses this canonical form itself
  return new TextEncoder().encode(`${HEADER}${(lines[2] ?? '').toLowerCase()}`)
}

/** Writes a new swarm key to `path` with mode 0600; refuses to replace an existing file. */
export async function writeNewSwarmKey (path: string): Promise<void> {
  const file = await open(path, 'wx', 0o600)
  try {
    await file.writeFile(newSwarmKey())
  } finally {
    await file.close()
  }
}
