// An agent of your own: answers questions from a short FAQ (its `options.faq` in
// node.yaml), and otherwise from what its community remembered (`oa-node memory add`).
import { Agent } from 'oa-node'

/** Lower-case words of a text: "How do I join?" -> ["how", "do", "i", "join"]. */
function words (text) {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
}

export default class FaqAgent extends Agent {
  /** The FAQ entry whose keywords the question uses most, or undefined when it uses none. */
  lookup (question) {
    const asked = new Set(words(question))
    const entries = Array.isArray(this.options.faq) ? this.options.faq : []
    let best
    let bestScore = 0
    for (const entry of entries) {
      const keywords = Array.isArray(entry.keywords) ? entry.keywords : []
      const score = keywords.filter(k => asked.has(String(k).toLowerCase())).length
      if (score > bestScore) {
        best = entry
        bestScore = score
      }
    }
    return best
  }

  /** The answer to a question: from the FAQ, else from the community's memory. */
  async answer (question) {
    const entry = this.lookup(question)
    if (entry != null) return { text: String(entry.answer), source: 'faq' }
    if (this.hasMemory) {
      // word search (BM25): only records that share words with the question
      const [hit] = await this.recall(question, { mode: 'text', kinds: ['expert_knowledge'], k: 1 })
      if (hit != null) return { text: hit.text, source: 'memory' }
    }
    return { text: `I don't know yet. Teach me: oa-node memory add ${this.community} "<the answer>"`, source: 'none' }
  }

  async onStart () {
    this.log.info('ready', { faq: Array.isArray(this.options.faq) ? this.options.faq.length : 0 })
  }

  /** `@<name> question` in a channel: the answer goes in the question's thread. */
  async onMention (msg) {
    const { text } = await this.answer(msg.text)
    await this.reply(msg, text)
  }

  /** A direct request (`oa-node ask <community>/<name> "question"`): the answer is the response. */
  async onDirect (req) {
    const question = typeof req.payload?.text === 'string' ? req.payload.text : ''
    if (question.trim() === '') throw new Error('send { text: "<question>" }')
    return this.answer(question)
  }
}
