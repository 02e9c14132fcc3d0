/**
 * Routing and reuse by meaning, on the hand-written sets of scripts/bench/data:
 * - routing: does the coordinator ask the right experts (routing.jsonl, the demo's three
 *   experts with their cards from config/demo)? Routing by meaning per embedder, beside
 *   the word-count router of release 0.1. Settings were chosen on the dev split; the
 *   test split is reported too and never tuned on.
 * - reuse: is a stored solution reused only for the same problem (reuse-pairs.jsonl,
 *   paraphrases and look-alikes)? The coordinator's rule (sameProblem) per embedder,
 *   beside cosine alone at the same threshold.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { rankExperts } from '../../src/agents/builtin/coordinator.js'
import { CardVectors, MEANING_ROUTE_DEFAULTS, rankByMeaning } from '../../src/agents/builtin/meaning-routing.js'
import { SAME_PROBLEM_DEFAULTS, sameProblem } from '../../src/agents/builtin/same-problem.js'
import { embedderKind } from '../../src/memory/hit.js'
import { PACKAGE_ROOT } from '../../src/version.js'
import type { DiscoveredAgent } from '../../src/discovery/card.js'
import type { Embedder } from '../../src/memory/embedders/types.js'
import type { Figure } from './util.js'

const DATA = join(PACKAGE_ROOT, 'scripts', 'bench', 'data')
const r3 = (n: number): number => Math.round(n * 1000) / 1000

interface RoutingCase { split: 'dev' | 'test', question: string, experts: string[] }
interface ReusePair { split: 'dev' | 'test', a: string, b: string, same: boolean }

function jsonl<T> (file: string): T[] {
  return readFileSync(join(DATA, file), 'utf8').split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l) as T)
}

/** The demo's experts as discovery returns their cards. */
export function demoCards (): DiscoveredAgent[] {
  const agents = ['node2.yaml', 'node3.yaml'].flatMap(f => (parse(readFileSync(join(PACKAGE_ROOT, 'config', 'demo', f), 'utf8')) as { agents: Array<{ name: string, description: string, capabilities: string[], examples?: string[] }> }).agents)
  return agents.map(a => ({
    name: a.name, id: `${a.name}@peer`, description: a.description, community: 'devsupport', capabilities: a.capabilities, channels: ['general'],
    peerId: 'peer', multiaddrs: [], protocolVersion: '1', kind: 'expert', examples: a.examples ?? [], online: true, seenAt: 0
  }))
}

/** Exact: the experts asked are the experts wanted (none for an off-topic question). Right: every expert asked is wanted and at least one is (or none when none is). */
function scoreRouting (cases: RoutingCase[], chosen: string[][]): { exact: number, right: number, offTopic: string } {
  let exact = 0
  let right = 0
  let off = 0
  let offRight = 0
  cases.forEach((c, i) => {
    const got = [...(chosen[i] ?? [])].sort()
    const want = [...c.experts].sort()
    if (JSON.stringify(got) === JSON.stringify(want)) exact++
    if (want.length === 0) {
      off++
      if (got.length === 0) { offRight++; right++ }
    } else if (got.length > 0 && got.every(g => want.includes(g))) right++
  })
  return { exact: exact / cases.length, right: right / cases.length, offTopic: `${offRight}/${off}` }
}

export async function benchRouting (embedders: Embedder[]): Promise<Figure[]> {
  const all = jsonl<RoutingCase>('routing.jsonl')
  const cards = demoCards()
  const figures: Figure[] = []
  for (const split of ['dev', 'test'] as const) {
    const cases = all.filter(c => c.split === split)
    const words = scoreRouting(cases, cases.map(c => rankExperts(c.question, cards).slice(0, 3).map(r => r.expert)))
    figures.push({ bench: 'memory', name: `routing ${split}: word-count router (baseline)`, value: r3(words.exact), unit: 'exact', note: `right ${r3(words.right)}, off-topic ${words.offTopic}, ${cases.length} questions` })
    for (const embedder of embedders) {
      const vectors = await new CardVectors(async texts => embedder.embed(texts)).of(cards, embedder.name)
      const questions = await embedder.embed(cases.map(c => c.question))
      const settings = { ...MEANING_ROUTE_DEFAULTS[embedderKind(embedder.name)], maxExperts: 3 }
      const chosen = cases.map((c, i) => rankByMeaning(questions[i] ?? [], c.question, cards, vectors, settings).map(r => r.expert))
      const s = scoreRouting(cases, chosen)
      figures.push({ bench: 'memory', name: `routing ${split}: by meaning, ${embedder.name}`, value: r3(s.exact), unit: 'exact', note: `right ${r3(s.right)}, off-topic ${s.offTopic}, floor ${settings.floor}, margin ${settings.margin}` })
    }
  }
  return figures
}

function precisionRecall (pairs: ReusePair[], verdicts: boolean[]): { precision: number, recall: number } {
  let tp = 0
  let fp = 0
  let fn = 0
  pairs.forEach((p, i) => {
    if (verdicts[i] === true && p.same) tp++
    else if (verdicts[i] === true) fp++
    else if (p.same) fn++
  })
  return { precision: tp + fp === 0 ? 1 : tp / (tp + fp), recall: tp + fn === 0 ? 1 : tp / (tp + fn) }
}

export async function benchReuse (embedders: Embedder[]): Promise<Figure[]> {
  const all = jsonl<ReusePair>('reuse-pairs.jsonl')
  const figures: Figure[] = []
  for (const embedder of embedders) {
    const settings = SAME_PROBLEM_DEFAULTS[embedderKind(embedder.name)]
    const words = new Map<string, number[]>()
    const embed = async (texts: string[]): Promise<number[][]> => {
      const missing = [...new Set(texts.filter(t => !words.has(t)))]
      const vectors = await embedder.embed(missing)
      missing.forEach((t, i) => { words.set(t, vectors[i] ?? []) })
      return texts.map(t => words.get(t) ?? [])
    }
    for (const split of ['dev', 'test'] as const) {
      const pairs = all.filter(p => p.split === split)
      const verdicts = await Promise.all(pairs.map(async p => sameProblem(p.b, p.a, embed, settings)))
      const rule = precisionRecall(pairs, verdicts.map(v => v.same))
      const cosine = precisionRecall(pairs, verdicts.map(v => v.similarity >= settings.threshold))
      const kinds = `${pairs.filter(p => p.same).length} paraphrases, ${pairs.filter(p => !p.same).length} look-alikes`
      figures.push({ bench: 'memory', name: `reuse ${split}: same-problem rule, ${embedder.name}`, value: r3(rule.precision), unit: 'precision', note: `recall ${r3(rule.recall)}; ${kinds}` })
      figures.push({ bench: 'memory', name: `reuse ${split}: cosine >= ${settings.threshold} alone, ${embedder.name}`, value: r3(cosine.precision), unit: 'precision', note: `recall ${r3(cosine.recall)} (baseline)` })
    }
  }
  return figures
}
