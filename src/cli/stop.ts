import { readApiInfo } from '../api/files.js'
import { NodeNotRunningError } from '../api/errors.js'
import { isProcessAlive } from '../node/data-dir.js'
import { print, printJson } from './format.js'
import { clientDataDir } from './status.js'
import type { ClientFlags } from './status.js'

const STOP_TIMEOUT_MS = 20_000
const POLL_MS = 100

/** The node did not stop in time after SIGTERM. */
export class StopTimeoutError extends Error {
  override readonly name = 'StopTimeoutError'
}

/**
 * `oa-node stop`: asks the running node of a data dir to stop (SIGTERM, the same clean
 * stop as Ctrl-C) and waits until its process has exited.
 *
 * @example
 * ```sh
 * npx oa-node stop --data-dir ./n1
 * ```
 */
export async function stopCommand (flags: ClientFlags): Promise<number> {
  const dataDir = clientDataDir(flags)
  const info = await readApiInfo(dataDir)
  if (info == null || !isProcessAlive(info.pid)) throw new NodeNotRunningError(`no running oa-node found for data dir ${dataDir}`)
  process.kill(info.pid, 'SIGTERM')
  const deadline = Date.now() + STOP_TIMEOUT_MS
  while (isProcessAlive(info.pid)) {
    if (Date.now() > deadline) throw new StopTimeoutError(`the node (pid ${info.pid}) did not stop within ${STOP_TIMEOUT_MS / 1000}s`)
    await new Promise(resolve => setTimeout(resolve, POLL_MS))
  }
  if (flags.json === true) printJson({ event: 'stopped', peerId: info.peerId, pid: info.pid, dataDir })
  else print(`stopped node ${info.peerId} (pid ${info.pid})`)
  return 0
}
