/**
 * Run inside a network namespace by bench:nat: sends `count` direct requests to one agent
 * through the node of `dataDir`'s control API (127.0.0.1 in that namespace) and prints
 * each answered round trip in ms, and the failures, as one JSON line.
 *
 *   node dist/scripts/bench/nat-probe.js <data dir> <community> <agent> <count>
 */
import { ApiClient } from '../../src/api/client.js'

const [dataDir = '', community = '', agent = '', countText = '10'] = process.argv.slice(2)
const count = Math.min(Math.max(Number(countText), 1), 1000)
const api = await ApiClient.fromDataDir(dataDir)
const ms: number[] = []
const failures: string[] = []
for (let i = 0; i < count; i++) {
  const t0 = performance.now()
  try {
    await api.post(`/v1/agents/${encodeURIComponent(agent)}/requests`, { community, text: `probe ${i}: what do you know?`, timeoutMs: 30_000 }, AbortSignal.timeout(35_000))
    ms.push(performance.now() - t0)
  } catch (err) {
    // counted, not timed: the figure is the latency of requests that were answered
    failures.push((err as Error).message)
  }
}
process.stdout.write(`${JSON.stringify({ ms, failures })}\n`)
