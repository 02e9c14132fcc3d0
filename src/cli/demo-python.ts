import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { PACKAGE_ROOT } from '../version.js'
import type { ClusterNode } from '../cluster/launcher.js'
import type { ChildProcess } from 'node:child_process'

/** The Python experts of each demo node, by node index (node 1 runs the coordinator). */
const PYTHON_EXPERTS: string[][] = [[], ['python_expert'], ['milvus_expert', 'devops_expert']]

/** The script of the demo's experts in Python. */
export const PYTHON_EXPERTS_SCRIPT = join(PACKAGE_ROOT, 'examples', 'python', 'experts.py')

/** `demo --python` cannot run: no script, or an interpreter without the SDK. */
export class DemoPythonError extends Error {
  override readonly name = 'DemoPythonError'
}

/**
 * Checks that the demo's Python experts can run: the script is there (a clone of oa-node)
 * and `python` imports the SDK. Throws DemoPythonError saying what to do.
 *
 * @example
 * ```ts
 * checkPython('python3')
 * ```
 */
export function checkPython (python: string): void {
  if (!existsSync(PYTHON_EXPERTS_SCRIPT)) throw new DemoPythonError(`demo --python runs ${PYTHON_EXPERTS_SCRIPT}, which this install of oa-node does not have: run it from a clone`)
  const probe = spawnSync(python, ['-c', 'import oa_node'], { encoding: 'utf8' })
  if (probe.error != null) throw new DemoPythonError(`demo --python: cannot run ${python} (${probe.error.message}); name an interpreter with --python <path>`)
  if (probe.status !== 0) {
    throw new DemoPythonError(`demo --python: ${python} cannot import oa_node; install the Python SDK into it: ${python} -m pip install ${join(PACKAGE_ROOT, 'clients', 'python')}`)
  }
}

/** The running Python experts' processes. */
export interface PythonExperts {
  stop: () => Promise<void>
}

/**
 * Starts the demo's experts in Python, each group connected to its node over the
 * remote-agent gateway; `onLine` gets their log lines, `onExit` an unexpected exit.
 *
 * @example
 * ```ts
 * const experts = startPythonExperts('python3', cluster.nodes, line => console.error(line), () => {})
 * await experts.stop()
 * ```
 */
export function startPythonExperts (python: string, nodes: ClusterNode[], onLine: (node: ClusterNode, line: string) => void, onExit: (node: ClusterNode, code: number | null) => void): PythonExperts {
  const procs: ChildProcess[] = []
  let stopping = false
  for (const [i, node] of nodes.entries()) {
    const experts = PYTHON_EXPERTS[i] ?? []
    if (experts.length === 0) continue
    // its own process group: Ctrl-C reaches the demo, which stops it
    const proc = spawn(python, [PYTHON_EXPERTS_SCRIPT, ...experts, '--data-dir', node.dataDir], { stdio: ['ignore', 'ignore', 'pipe'], detached: true })
    createInterface({ input: proc.stderr }).on('line', (line) => { onLine(node, line) })
    proc.once('exit', (code) => { if (!stopping) onExit(node, code) })
    procs.push(proc)
  }
  return {
    stop: async () => {
      stopping = true
      await Promise.all(procs.map(async proc => {
        if (proc.exitCode != null || proc.signalCode != null) return
        const exited = new Promise(resolve => proc.once('exit', resolve))
        proc.kill('SIGTERM')
        await exited
      }))
    }
  }
}
