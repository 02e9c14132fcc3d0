/**
 * A fetch whose answers are cut off at `maxBytes`: an external server cannot make the
 * node hold an answer of any size. The body is read in full before the caller sees it,
 * so use it for single answers (cards, `message:send`), not for streams.
 *
 * @example
 * ```ts
 * const card = await (await boundedFetch(fetch, 1 << 20)('http://127.0.0.1:9000/.well-known/agent-card.json')).json()
 * ```
 */
export function boundedFetch (fetchImpl: typeof fetch, maxBytes: number): typeof fetch {
  return async (input, init) => {
    const response = await fetchImpl(input, init)
    const declared = Number(response.headers.get('content-length') ?? '0')
    const tooLarge = (): Error => new Error(`the answer of ${response.url} is over ${maxBytes} bytes`)
    if (declared > maxBytes) {
      await response.body?.cancel()
      throw tooLarge()
    }
    const chunks: Uint8Array[] = []
    let size = 0
    // Node's web streams are async iterables; leaving the loop early cancels the body
    for await (const value of (response.body ?? []) as AsyncIterable<Uint8Array>) {
      size += value.byteLength
      if (size > maxBytes) throw tooLarge()
      chunks.push(value)
    }
    const body = Buffer.concat(chunks)
    return new Response(response.status === 204 || response.status === 304 ? null : body, { status: response.status, statusText: response.statusText, headers: response.headers })
  }
}
