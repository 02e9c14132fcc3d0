/** 10000 -> "10 s", 1500 -> "1500 ms", 60000 -> "60 s" */
export function describeWindow (ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}

/** Whole seconds to wait, at least 1. */
export function retrySeconds (ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000))
}
