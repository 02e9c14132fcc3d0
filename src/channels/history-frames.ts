import { Envelope, HistoryResponse } from '../wire/generated/event.js'

/** Bytes of envelopes per history frame: a frame also holds one more message, so a reader allows this plus `maxMessageBytes`. */
export const HISTORY_FRAME_BYTES = 256 * 1024

/** What a history answer is written to: a length-prefixed stream's `write`. */
export interface FrameWriter {
  write: (data: Uint8Array, options: { signal: AbortSignal }) => Promise<unknown>
}

/**
 * Writes stored messages as `HistoryResponse` frames of up to HISTORY_FRAME_BYTES of
 * envelopes each (in their wire form, sealed where their community is private), the last
 * one marked `done`. `/oa/history` and the wiki's catch-up answer with it.
 *
 * @example
 * ```ts
 * await writeHistoryFrames(lp, store.list(community, channel), m => channels.wireForm(m), signal)
 * ```
 */
export async function writeHistoryFrames<M> (lp: FrameWriter, messages: Iterable<M>, wireForm: (message: M) => Envelope, signal: AbortSignal): Promise<void> {
  let batch: Envelope[] = []
  let bytes = 0
  for (const message of messages) {
    const envelope = wireForm(message)
    const size = Envelope.encode(envelope).byteLength
    if (batch.length > 0 && bytes + size > HISTORY_FRAME_BYTES) {
      await lp.write(HistoryResponse.encode({ messages: batch, done: false, error: '' }), { signal })
      batch = []
      bytes = 0
    }
    batch.push(envelope)
    bytes += size
  }
  await lp.write(HistoryResponse.encode({ messages: batch, done: true, error: '' }), { signal })
}
