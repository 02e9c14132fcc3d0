import { cosine } from '../../memory/similarity.js'
import { terms, termsMatch } from '../../text/terms.js'

/** When a stored solution to one question is reused for another. */
export interface SameProblemSettings {
  /** The questions' cosine similarity must reach this. */
  threshold: number
  /** Questions sharing at least this share of their words (of the shorter one's)... */
  contrastShare: number
  /** ...swap words when a word each has and the other lacks has no counterpart at least this close (hangs / crashes, but also hangs / stuck)... */
  contrastAlign: number
  /** ...and are then the same problem only from this cosine on (stuck for hangs keeps the sentence closer than crashes does). */
  swapThreshold: number
}

/**
 * Chosen on the development split of scripts/bench/data/reuse-pairs.jsonl (paraphrases
 * and look-alikes that share most words but are another problem), for the precision of
 * reuse: bench:memory reports precision and recall on the held-out split beside cosine
 * alone. Cosines of a neural model and of word hashing are not on one scale.
 */
export const SAME_PROBLEM_DEFAULTS: Record<'neural' | 'lexical', SameProblemSettings> = {
  neural: { threshold: 0.4, contrastShare: 0.3, contrastAlign: 0.6, swapThreshold: 0.93 },
  lexical: { threshold: 0.5, contrastShare: 0.3, contrastAlign: 0.6, swapThreshold: 0.93 }
}

/** The most terms, of both questions together, compared word by word. */
export const MAX_ALIGNED_TERMS = 64

/** The verdict on two questions, with what decided it. */
export interface SameProblemVerdict {
  same: boolean
  /** Cosine similarity of the two questions. */
  similarity: number
  /** Words of one question with no close counterpart in the other, when those made them different problems. */
  contrast?: { ours: string[], theirs: string[] }
}

/** Embeds texts into vectors, compared by cosine. */
export type Embed = (texts: string[]) => Promise<number[][]>


/**
 * Whether `question` asks the same problem as `stored`, so that the stored solution may
 * answer it. Close meaning is not enough: "my task hangs on Kubernetes" and "my task
 * crashes on Kubernetes" are close in any embedding. So when the two share most of their
 * words (`contrastShare`) and each has a word the other lacks, those words must have a
 * close counterpart on the other side (`contrastAlign`); single words are a poor guide
 * to meaning, so a swap of words with none ("crashes" for "hangs", but also "stuck" for
 * "hangs") is the same problem only when the questions stay very close
 * (`swapThreshold`: "stuck" keeps them closer than "crashes" does). A word only one side
 * adds ("the M parameter") is detail. Otherwise the cosine of the
 * questions decides (`threshold`).
 *
 * @example
 * ```ts
 * const embed = async (texts: string[]) => memory.embed(texts)
 * await sameProblem('my task crashes on Kubernetes', 'my task hangs on Kubernetes', embed, SAME_PROBLEM_DEFAULTS.neural)
 * // { same: false, similarity: 0.93, contrast: { ours: ['crashes'], theirs: ['hangs'] } }
 * ```
 */
export async function sameProblem (question: string, stored: string, embed: Embed, settings: SameProblemSettings): Promise<SameProblemVerdict> {
  const ours = [...new Set(terms(question))]
  const theirs = [...new Set(terms(stored))]
  const onlyOurs = ours.filter(w => !theirs.some(t => termsMatch(w, t)))
  const onlyTheirs = theirs.filter(w => !ours.some(t => termsMatch(w, t)))
  const shared = (ours.length - onlyOurs.length) / Math.max(1, Math.min(ours.length, theirs.length))
  // word by word only for questions of question length: a long post's words are not embedded one by one
  const lookAlike = shared >= settings.contrastShare && onlyOurs.length + onlyTheirs.length > 0 && ours.length > 0 && theirs.length > 0 && ours.length + theirs.length <= MAX_ALIGNED_TERMS
  const vectors = await embed([question, stored, ...(lookAlike ? [...ours, ...theirs] : [])])
  const similarity = cosine(vectors[0] ?? [], vectors[1] ?? [])
  if (lookAlike) {
    const ourVectors = vectors.slice(2, 2 + ours.length)
    const theirVectors = vectors.slice(2 + ours.length)
    const closest = (v: number[] | undefined, others: number[][]): number => Math.max(-1, ...others.map(o => cosine(v ?? [], o)))
    const unmatchedOurs = onlyOurs.filter(w => closest(ourVectors[ours.indexOf(w)], theirVectors) < settings.contrastAlign)
    const unmatchedTheirs = onlyTheirs.filter(w => closest(theirVectors[theirs.indexOf(w)], ourVectors) < settings.contrastAlign)
    // a swap (a word each side lacks a counterpart for) is another problem; a word only added is detail
    if (unmatchedOurs.length > 0 && unmatchedTheirs.length > 0) {
      return similarity >= settings.swapThreshold ? { same: true, similarity } : { same: false, similarity, contrast: { ours: unmatchedOurs, theirs: unmatchedTheirs } }
    }
  }
  return { same: similarity >= settings.threshold, similarity }
}
