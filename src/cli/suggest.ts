const MAX_DISTANCE = 3
const MIN_SIMILARITY = 0.4

/** Edit distance with adjacent transpositions (optimal string alignment): `statsu` is 1 from `status`. */
function distance (a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.MAX_SAFE_INTEGER
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1)
      const row = d[i]
      if (row != null) row[j] = best
    }
  }
  return at(a.length, b.length)
}

/**
 * The candidates closest to a mistyped word, by the rule commander suggests flags with:
 * fewer than 3 edits away and more than 40% alike, only the nearest kept.
 *
 * @example
 * ```ts
 * closest('statuss', ['start', 'status', 'peers'])   // ['status']
 * closest('frobnicate', ['start', 'status'])         // []
 * ```
 */
export function closest (word: string, candidates: string[]): string[] {
  let best = MAX_DISTANCE
  let found: string[] = []
  for (const candidate of new Set(candidates)) {
    if (candidate.length <= 1) continue
    const d = distance(word, candidate)
    const length = Math.max(word.length, candidate.length)
    if ((length - d) / length <= MIN_SIMILARITY) continue
    if (d < best) {
      best = d
      found = [candidate]
    } else if (d === best) {
      found.push(candidate)
    }
  }
  return found.sort((a, b) => a.localeCompare(b))
}

/**
 * The message for a command that does not exist: the closest commands when one is near,
 * else every command of that level.
 *
 * @example
 * ```ts
 * unknownCommand('statuss', ['start', 'status'])                 // "unknown command 'statuss' (did you mean status?)"
 * unknownCommand('joi', ['create', 'join'], 'community')         // "unknown command 'community joi' (did you mean community join?)"
 * ```
 */
export function unknownCommand (typed: string, commands: string[], parent?: string): string {
  const full = (name: string): string => parent == null ? name : `${parent} ${name}`
  const near = closest(typed, commands)
  const hint = near.length > 0 ? `did you mean ${near.map(full).join(' or ')}?` : `${parent == null ? 'commands' : `${parent} commands`}: ${commands.join(', ')}`
  return `unknown command '${full(typed)}' (${hint})`
}
