import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CardVectors, MEANING_ROUTE_DEFAULTS, rankByMeaning } from '../../src/agents/builtin/meaning-routing.js'
import { SAME_PROBLEM_DEFAULTS, sameProblem } from '../../src/agents/builtin/same-problem.js'
import { NeuralEmbedder } from '../../src/memory/embedders/neural.js'
import { demoCards } from '../../scripts/bench/meaning.js'
import { testModel } from '../helpers/model.js'

describe('meaning, on the neural model', () => {
  let neural: NeuralEmbedder
  const embed = async (texts: string[]): Promise<number[][]> => neural.embed(texts)
  beforeAll(async () => { neural = await NeuralEmbedder.load(await testModel()) })
  afterAll(async () => { await neural.close() })

  describe('sameProblem: may a stored solution answer a new question?', () => {
    const stored = 'My asyncio task hangs when I deploy it to Kubernetes'
    const same = async (question: string): Promise<boolean> => (await sameProblem(question, stored, embed, SAME_PROBLEM_DEFAULTS.neural)).same

    it('yes for the same problem in other words, with a synonym swapped in, or with a detail added', async () => {
      expect(await same('Why does my asyncio task get stuck after deploying to Kubernetes?')).toBe(true)
      expect(await same('my asyncio task hangs when deployed to kubernetes')).toBe(true)
      expect(await same('My asyncio task hangs on Kubernetes')).toBe(true)
    })

    it('no for a look-alike, naming the words that make it another problem, and no for another topic', async () => {
      const crashes = await sameProblem('My asyncio task crashes when I deploy it to Kubernetes', stored, embed, SAME_PROBLEM_DEFAULTS.neural)
      expect(crashes).toMatchObject({ same: false, contrast: { ours: ['crashes'], theirs: ['hangs'] } })
      expect(crashes.similarity).toBeGreaterThan(0.8)
      expect(await same('My asyncio task hangs when I deploy it to Nomad')).toBe(false)
      expect(await same('How do I choose HNSW M for ten million vectors?')).toBe(false)
    })
  })

  describe('rankByMeaning: which of the demo experts to ask', () => {
    const cards = demoCards()
    const settings = { ...MEANING_ROUTE_DEFAULTS.neural, maxExperts: 3 }
    const route = async (question: string, trust?: (id: string, capability: string) => number): Promise<string[]> => {
      const [q] = await embed([question])
      const vectors = await new CardVectors(embed).of(cards, neural.name)
      return rankByMeaning(q ?? [], question, cards, vectors, settings, trust).map(r => r.expert)
    }

    it('asks the expert a question means, when no capability word is in it', async () => {
      expect(await route('event loop blocked under gunicorn')).toEqual(['python_expert'])
      expect(await route('my container restarts in a loop and the logs say OOMKilled')).toEqual(['devops_expert'])
      expect(await route('nearest-neighbour results got worse after I changed the model')).toEqual(['milvus_expert'])
    })

    it('asks two experts for a question across their fields, and none for one outside every field', async () => {
      expect((await route('My asyncio task hangs when I deploy it to Kubernetes')).sort()).toEqual(['devops_expert', 'python_expert'])
      expect(await route('What is the best pizza dough hydration?')).toEqual([])
    })

    it('lets trust order experts, never let it make an expert pass the floor', async () => {
      const question = 'My asyncio task hangs when I deploy it to Kubernetes'
      const trustDevops = (id: string): number => (id.startsWith('devops_expert') ? 1 : 0)
      const trustPython = (id: string): number => (id.startsWith('python_expert') ? 1 : 0)
      expect((await route(question, trustDevops))[0]).toBe('devops_expert')
      expect((await route(question, trustPython))[0]).toBe('python_expert')
      expect(await route('What is the best pizza dough hydration?', () => 1)).toEqual([])
    })

    it('embeds each card once, and again when it changes', async () => {
      let embedded = 0
      const counted = new CardVectors(async (texts) => { embedded += texts.length; return embed(texts) })
      await counted.of(cards, neural.name)
      const once = embedded
      await counted.of(cards, neural.name)
      expect(embedded).toBe(once)
      const changed = cards.map(c => c.name === 'python_expert' ? { ...c, examples: [...c.examples, 'How do I profile a slow Django view?'] } : c)
      await counted.of(changed, neural.name)
      expect(embedded).toBe(once + (changed.find(c => c.name === 'python_expert')?.examples.length ?? 0) + 2)
    })
  })
})
