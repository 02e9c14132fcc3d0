/**
 * Re-checks `check` until it returns a value other than undefined/false, for at most
 * `timeoutMs`. Throws with `what` when time runs out, so a failure says what never happened.
 */
export async function waitFor<T> (what: string, check: () => T | Promise<T>, timeoutMs = 20_000, intervalMs = 100): Promise<Exclude<T, false | undefined | null>> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value !== undefined && value !== false && value !== null) return value as Exclude<T, false | undefined | null>
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}`)
    await new Promise(resolve => setTimeout(resolve, intervalMs))
  }
}
