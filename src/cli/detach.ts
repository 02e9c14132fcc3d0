import { spawn } from 'node:child_process'
import { mkdir, open, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { ApiClient } from '../api/client.js'
import { readApiInfo } from '../api/files.js'
import { isProcessAlive } from '../node/data-dir.js'
import { loadConfig } from '../config/load.js'
import { BIN_PATH, VERSION } from '../version.js'
import { fields, print, printJson } from './format.js'
import { flagsToLayer } from './flags.js'
import type { StatusAnswer } from '../api/server.js'
import type { StartFlags, StartedLine } from './start.js'

/** Where a detached node writes its stdout and stderr, in its data dir. */
export const NODE_LOG_FILE = 'node.log'

const READY_TIMEOUT_MS = 60_000
const POLL_MS = 100
const LOG_TAIL_LINES = 20

/** A detached node that did not come up; carries the end of its log. */
export class DetachError extends Error {
  override readonly name = 'DetachError'
}

async function tail (path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '')
  return text.trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n')
}

/**
 * `oa-node start --detach`: starts the node as a background process (its output going
 * to `<data dir>/node.log`), waits until its API answers, prints what `start` prints,
 * and returns. `oa-node stop --data-dir <dir>` stops it.
 *
 * @example
 * ```sh
 * npx oa-node start --data-dir ./n1 --detach
 * npx oa-node stop --data-dir ./n1
 * ```
 */
export async function startDetached (flags: StartFlags, argv: string[]): Promise<number> {
  // validate the whole configuration here, so a mistake is reported before anything forks
  const config = await loadConfig({ file: flags.config, env: process.env, flags: flagsToLayer(flags) })
  const running = await readApiInfo(config.dataDir).catch(() => undefined)
  if (running != null && isProcessAlive(running.pid)) {
    throw new DetachError(`a node is already running for data dir ${config.dataDir} (pid ${running.pid})`)
  }
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 })
  const logPath = join(config.dataDir, NODE_LOG_FILE)
  const log = await open(logPath, 'a', 0o600)
  const args = argv.filter(a => a !== '--detach' && a !== '--json')
  const child = spawn(process.execPath, [BIN_PATH, ...args], { detached: true, stdio: ['ignore', log.fd, log.fd], env: process.env })
  await log.close()
  let exit: string | undefined
  child.once('exit', (code, signal) => { exit = signal ?? `code ${code ?? '?'}` })
  let deadline = Date.now() + READY_TIMEOUT_MS
  let logSize = 0
  for (;;) {
    if (exit != null) throw new DetachError(`the node exited (${exit}) before it started; the end of ${logPath}:\n${await tail(logPath)}`)
    const info = await readApiInfo(config.dataDir).catch(() => undefined)
    if (info != null && info.pid === child.pid) break
    // a node re-embedding its memory at start says how far it is every two seconds: it is not stuck
    const size = (await stat(logPath).catch(() => undefined))?.size ?? 0
    if (size > logSize) {
      logSize = size
      if ((await tail(logPath)).includes('memory: re-embedded')) deadline = Date.now() + READY_TIMEOUT_MS
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM')
      throw new DetachError(`the node did not start within ${READY_TIMEOUT_MS / 1000}s; the end of ${logPath}:\n${await tail(logPath)}`)
    }
    await new Promise(resolve => setTimeout(resolve, POLL_MS))
  }
  child.unref()
  const api = await ApiClient.fromDataDir(config.dataDir)
  const status = await api.get<StatusAnswer>('/v1/status')
  if (flags.json === true) {
    const started: StartedLine = { event: 'started', peerId: status.peerId, multiaddrs: status.multiaddrs, api: api.info.url, dataDir: config.dataDir, communities: status.communities, pid: api.info.pid, version: VERSION }
    printJson({ ...started, log: logPath })
  } else {
    print(`oa-node ${VERSION} started in the background\n${fields([
      ['peer id', status.peerId],
      ['listening', status.multiaddrs],
      ['api', api.info.url],
      ['data dir', config.dataDir],
      ['communities', status.communities],
      ['pid', String(api.info.pid)],
      ['log', logPath]
    ])}`)
  }
  return 0
}
