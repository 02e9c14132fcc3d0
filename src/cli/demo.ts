import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { ApiClient } from '../api/client.js'
import { launchCluster } from '../cluster/launcher.js'
import { parseEntry, relayLogLine, useColor } from '../log/index.js'
import { scoreLabel } from '../memory/hit.js'
import { loadConfig } from '../config/load.js'
import { EndpointError, withHint } from '../endpoints/errors.js'
import { PACKAGE_ROOT } from '../version.js'
import { print, printJson } from './format.js'
import { commandLine } from './invocation.js'
import { checkPython, startPythonExperts } from './demo-python.js'
import type { PythonExperts } from './demo-python.js'
import type { Cluster, ClusterNode } from '../cluster/launcher.js'
import type { DiscoveredAgent } from '../discovery/card.js'
import type { EventJson } from '../events/json.js'
import type { NodeStatus } from '../node/oa-node.js'

const C = 'devsupport'
const EXPERTS = ['python_expert', 'milvus_expert', 'devops_expert']
/** Node index, knowledge file, the expert it is for. */
const SEEDS: Array<[number, string, string]> = [[1, 'python.jsonl', 'python_expert'], [2, 'vectordb.jsonl', 'milvus_expert'], [2, 'devops.jsonl', 'devops_expert']]
/** What each node hosts, as the demo's progress and table name it. */
const ROLES = ['coordinator', 'python_expert', 'milvus_expert, devops_expert']
const ANSWER_TIMEOUT_MS = 90_000

export interface DemoFlags {
  ask?: string[]
  dataDir?: string
  json?: boolean
  verbose?: boolean
  /** Run the experts in Python (examples/python/experts.py) with this interpreter (`true`: python3). */
  python?: string | boolean
}

interface ReplyMetadata {
  routing?: Array<{ expert: string, matched: string[], similarity?: number }>
  answered?: Array<{ expert: string, mode?: string, text?: string, sources?: Array<{ kind: string, text: string, score: number, scoreKind?: string, similarity?: number }> }>
  missing?: Array<{ expert: string, reason?: string }>
  reused?: { id: string, score: number, text: string }
  stored?: Array<{ id: string, kind: string }>
  forumTopic?: string
}

function short (text: string, n = 110): string {
  const one = text.replace(/\s+/g, ' ').trim()
  return one.length > n ? `${one.slice(0, n - 1)}…` : one
}

/** Warnings every node gives alike (no neural model installed): shown once, from the first node. */
const saidOnce = new Set<string>()

/** A node's log line as a text line; the demo shows only warnings and errors unless verbose. */
function logLine (node: ClusterNode, line: string, verbose: boolean): void {
  const entry = parseEntry(line)
  const level = entry?.level
  if (!verbose && (typeof level !== 'number' || level < 40)) return
  const msg = typeof entry?.msg === 'string' ? entry.msg : ''
  if (msg.startsWith('memory: the embedding model')) {
    if (saidOnce.has(msg)) return
    saidOnce.add(msg)
  }
  process.stderr.write(`${relayLogLine(node.name, line, { format: 'text', verbose, color: useColor(process.stderr, process.env) })}\n`)
}

async function readSeed (file: string): Promise<Array<{ id: string, text: string, kind: string, metadata: Record<string, unknown> }>> {
  const lines = (await readFile(join(PACKAGE_ROOT, 'config', 'demo', 'knowledge', file), 'utf8')).split('\n').filter(l => l.trim() !== '')
  return lines.map(l => JSON.parse(l) as { id: string, text: string, kind?: string, metadata?: Record<string, unknown> })
    .map(r => ({ id: r.id, text: r.text, kind: r.kind ?? 'expert_knowledge', metadata: r.metadata ?? {} }))
}

/** Imports an expert's knowledge as written by the expert (`agent`): an expert of scope `own` draws on it. */
async function seed (api: ApiClient, records: Awaited<ReturnType<typeof readSeed>>, agent: string): Promise<number> {
  let n = 0
  for (let i = 0; i < records.length; i += 100) {
    const { records: stored } = await api.post<{ records: unknown[] }>(`/v1/communities/${C}/memory`, { records: records.slice(i, i + 100).map(r => ({ ...r, agent })) })
    n += stored.length
  }
  return n
}

async function until (what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!await check().catch(() => false)) {
    if (Date.now() > deadline) throw new Error(`the demo gave up waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 250))
  }
}

function render (question: string, reply: EventJson, dataDir: string): string {
  const meta = ((reply.payload as { metadata?: ReplyMetadata }).metadata ?? {})
  const out: string[] = [`\nQ: ${question}`]
  if (meta.reused != null) {
    out.push(`Reused a stored solution (${meta.reused.id}, similarity ${meta.reused.score.toFixed(2)}) instead of asking the experts again.`)
  } else {
    out.push(`Routed to: ${(meta.routing ?? []).map(r => r.similarity != null ? `${r.expert} (similarity ${r.similarity.toFixed(2)})` : `${r.expert} (matched: ${r.matched.join(', ')})`).join('; ') || 'no matching expert'}`)
    for (const a of meta.answered ?? []) {
      out.push(`\n  ${a.expert} answered (${a.mode === 'llm' ? 'language model' : 'retrieval-only'}), using:`)
      for (const s of a.sources ?? []) out.push(`    - [${s.kind}] ${scoreLabel(s)}  ${short(s.text)}`)
      if ((a.sources ?? []).length === 0) out.push('    - no memory records above the relevance floor')
    }
    for (const m of meta.missing ?? []) out.push(`\n  ${m.expert} did not answer: ${m.reason ?? 'no answer'}`)
  }
  out.push(`\nAnswer (in the thread of ${reply.replyTo ?? '?'}):\n${(reply.payload as { text?: string }).text ?? ''}`)
  out.push(`\nStored: ${(meta.stored ?? []).map(s => `${s.kind} ${s.id}`).join(', ') || 'nothing'}`)
  if (meta.forumTopic != null) {
    out.push(`Forum topic: ${meta.forumTopic}, where the experts comment their answers. Read it and vote on an answer (votes count in the expert's trust):`)
    out.push(`  npx oa-node forum show ${C} ${meta.forumTopic} --data-dir ${dataDir}`)
    out.push(`  npx oa-node forum vote ${C} <comment id> up --data-dir ${dataDir}`)
  }
  return out.join('\n')
}

/** Posts a question in general on node 1 and waits for the coordinator's reply. */
/**
 * Where to watch the demo: each node's Studio, and a one-time link that opens the
 * coordinator's signed in (the data dirs may be temporary, so the link is printed now).
 */
async function printStudio (apis: ApiClient[], nodes: Array<{ name: string, dataDir: string }>): Promise<void> {
  print('Studio, to watch questions being routed and answered:')
  for (const [i, api] of apis.entries()) {
    const node = nodes[i]
    if (node == null) continue
    print(`  ${node.name}  ${api.info.url}/studio/   sign in: ${commandLine(`studio --data-dir ${node.dataDir}`)}`)
  }
  const coordinator = apis[0]
  if (coordinator == null) return
  const { url } = await coordinator.post<{ url: string }>('/studio/codes', {})
  print(`  open ${nodes[0]?.name ?? 'n1'}'s Studio signed in (once, within 2 minutes): ${url}`)
}

async function askOnce (api: ApiClient, question: string, json: boolean, dataDir: string): Promise<void> {
  const ws = await api.events({ community: C, channel: 'general', type: 'channel.message.reply' })
  try {
    const replies: EventJson[] = []
    let notify = (): void => {}
    ws.on('message', (data: Buffer) => {
      replies.push((JSON.parse(data.toString()) as { event: EventJson }).event)
      notify()
    })
    const { message } = await api.post<{ message: EventJson }>(`/v1/communities/${C}/channels/general/messages`, { text: question })
    const reply = await new Promise<EventJson>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`no answer within ${ANSWER_TIMEOUT_MS / 1000}s`)) }, ANSWER_TIMEOUT_MS)
      notify = () => {
        const found = replies.find(r => r.replyTo === message.id && r.source.startsWith('coordinator@'))
        if (found != null) {
          clearTimeout(timer)
          resolve(found)
        }
      }
      notify()
    })
    if (json) printJson({ question, reply })
    else print(render(question, reply, dataDir))
  } finally {
    ws.close()
  }
}

/** What the demo says when MILVUS_ADDRESS names a Milvus it cannot use. */
const MILVUS_DEMO_HINT = 'the demo keeps its memory on Milvus because MILVUS_ADDRESS is set: start Milvus there, or unset MILVUS_ADDRESS to run the demo on its embedded store'

/** With MILVUS_ADDRESS set, checks that Milvus answers before starting any node, with the settings node 1 will use. */
async function checkMilvus (demo: string): Promise<void> {
  const config = await loadConfig({ file: join(demo, 'node1.yaml'), env: process.env, flags: {} })
  try {
    // the Milvus client is loaded only for a demo that uses Milvus
    const { MilvusStore } = await import('../memory/stores/milvus/store.js')
    await MilvusStore.probe(config.memory.milvus)
  } catch (err) {
    throw err instanceof EndpointError ? withHint(err, MILVUS_DEMO_HINT) : err
  }
}

/**
 * `oa-node demo`: the developer-support community on a local 3-node cluster. A
 * coordinator on node 1, python_expert on node 2, milvus_expert and devops_expert on
 * node 3; knowledge seeded on the experts' nodes. Offline by default (retrieval-only
 * answers); an OpenAI-compatible endpoint in OPENAI_* switches the agents to the model,
 * and MILVUS_ADDRESS puts the memory on Milvus (checked first: a Milvus that does not
 * answer stops the demo with one line saying how to run it on the embedded store).
 */
export async function demoCommand (flags: DemoFlags): Promise<number> {
  const began = Date.now()
  const demo = join(PACKAGE_ROOT, 'config', 'demo')
  const milvus = process.env.MILVUS_ADDRESS != null && process.env.MILVUS_ADDRESS !== ''
  // with --json, stdout carries only the answers (one JSON line each)
  const progress = (text: string): void => {
    if (flags.json === true) process.stderr.write(`${text}\n`)
    else print(text)
  }
  const python = flags.python === true ? 'python3' : typeof flags.python === 'string' ? flags.python : undefined
  if (python != null) checkPython(python)
  if (milvus) await checkMilvus(demo)
  if (flags.json !== true) print(`Starting the developer-support community: 3 nodes on 127.0.0.1${python == null ? '' : ', the experts in Python'}${milvus ? `, memory on Milvus at ${process.env.MILVUS_ADDRESS ?? ''}` : ''} ...`)
  let stopping = false
  let cluster: Cluster | undefined
  let pythonExperts: PythonExperts | undefined
  const launch = new AbortController()
  const stop = async (): Promise<void> => {
    if (stopping) return
    stopping = true
    await pythonExperts?.stop()
    await cluster?.stop()
  }
  // the nodes run in their own process group: Ctrl-C reaches the demo, which stops each
  // node once; a second Ctrl-C kills them
  const onSignal = (): void => {
    if (stopping) {
      cluster?.kill()
      process.exit(1)
    }
    if (cluster == null) {
      stopping = true
      launch.abort()
      return
    }
    void stop().then(() => process.exit(0))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    try {
      cluster = await launchCluster({
        nodes: 3,
        dataDir: flags.dataDir,
        args: i => ['--config', join(demo, python != null && i > 0 ? 'python-experts.yaml' : `node${i + 1}.yaml`), ...(milvus ? ['--memory', 'milvus'] : [])],
        signal: launch.signal,
        onStarting: (i) => { progress(`starting node ${i + 1}/3 (${ROLES[i] ?? ''})...`) },
        onLog: (node, line) => { logLine(node, line, flags.verbose === true) },
        onUnexpectedExit: (node, code, signal) => { if (!stopping) process.stderr.write(`demo: ${node.name} exited unexpectedly with ${signal ?? `code ${code ?? '?'}`}\n`) }
      })
    } catch (err) {
      if (launch.signal.aborted) return 0
      throw err
    }
    if (python != null) {
      progress('starting the experts in Python (examples/python/experts.py)...')
      pythonExperts = startPythonExperts(python, cluster.nodes,
        (node, line) => { if (flags.verbose === true || /\b(WARNING|ERROR|Traceback)\b/.test(line)) process.stderr.write(`[${node.name} python] ${line}\n`) },
        (node, code) => { if (!stopping) process.stderr.write(`demo: the Python experts of ${node.name} exited unexpectedly with code ${code ?? '?'}\n`) })
    }
    const apis = await Promise.all(cluster.nodes.map(async n => ApiClient.fromDataDir(n.dataDir)))
    const [coordinatorNode] = apis
    const coordinatorDir = cluster.nodes[0]?.dataDir ?? ''
    if (coordinatorNode == null) throw new Error('the demo cluster has no node 1')
    let seeded = 0
    for (const [node, file, expert] of SEEDS) {
      const records = await readSeed(file)
      progress(`importing knowledge: ${records.length} records into ${expert}'s node...`)
      seeded += await seed(apis[node] ?? coordinatorNode, records, `${expert}@${cluster.nodes[node]?.peerId ?? ''}`)
    }
    progress('waiting for the experts to be found through the DHT...')
    await until('the experts to be found through the DHT', async () => {
      const { agents } = await coordinatorNode.get<{ agents: DiscoveredAgent[] }>(`/v1/agents?community=${C}`)
      return EXPERTS.every(name => agents.some(a => a.name === name && a.online))
    }, 60_000)
    const status = await coordinatorNode.get<NodeStatus>('/v1/status')
    progress(`ready in ${((Date.now() - began) / 1000).toFixed(1)} s`)
    if (flags.json !== true) {
      for (const [i, n] of cluster.nodes.entries()) print(`  ${n.name}  ${ROLES[i] ?? ''}  ${n.peerId}`)
      await printStudio(apis, cluster.nodes)
      print(`Seeded ${seeded} knowledge records on the experts' nodes. Language model: ${status.llm.mode === 'offline' ? 'none (offline: retrieval-only answers, labelled as such)' : status.llm.mode}.`)
    }
    const questions = flags.ask ?? []
    if (questions.length > 0) {
      for (const q of questions) await askOnce(coordinatorNode, q, flags.json === true, coordinatorDir)
      return 0
    }
    print('\nAsk a question (empty line, Ctrl-D or Ctrl-C to quit).')
    const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: 'question> ' })
    // at the prompt the terminal delivers Ctrl-C to readline, not as a signal
    rl.on('SIGINT', () => { rl.close() })
    rl.prompt()
    for await (const line of rl) {
      const q = line.trim()
      if (q === '') break
      try {
        await askOnce(coordinatorNode, q, flags.json === true, coordinatorDir)
      } catch (err) {
        process.stderr.write(`demo: ${(err as Error).message}\n`)
      }
      rl.prompt()
    }
    rl.close()
    return 0
  } finally {
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
    await stop()
  }
}
