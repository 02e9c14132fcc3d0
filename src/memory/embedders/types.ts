/** Turns texts into vectors. The store records `name` and `dimension` and refuses another. */
export interface Embedder {
  /** Identifies the model: vectors of different names are not comparable. */
  readonly name: string
  readonly dimension: number
  embed (texts: string[], signal?: AbortSignal): Promise<number[][]>
  /** Frees what the embedder holds (a model's native memory); it embeds nothing after. */
  close?: () => Promise<void>
}
