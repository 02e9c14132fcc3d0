/**
 * The Euclidean norm of a vector.
 *
 * @example
 * ```ts
 * norm(Float32Array.of(3, 4))   // 5
 * ```
 */
export function norm (v: Float32Array): number {
  let s = 0
  for (let i = 0; i < v.length; i++) s += (v[i] as number) * (v[i] as number)
  return Math.sqrt(s)
}

/**
 * Cosine similarity of a query (its norm given) and a vector of the same length, in one
 * pass over the vector; 0 when either is zero.
 *
 * @example
 * ```ts
 * const q = Float32Array.of(1, 0)
 * cosine(q, norm(q), Float32Array.of(1, 1))   // 0.7071...
 * ```
 */
export function cosine (query: Float32Array, queryNorm: number, v: Float32Array): number {
  let dot = 0
  let vv = 0
  // a damaged row of another length is compared on what both hold
  const n = Math.min(v.length, query.length)
  for (let i = 0; i < n; i++) {
    const x = v[i] as number
    dot += (query[i] as number) * x
    vv += x * x
  }
  return queryNorm === 0 || vv === 0 ? 0 : dot / (queryNorm * Math.sqrt(vv))
}
