/** Messages between `verify-pool.ts` and its threads (`verify-worker.ts`). */

/** Checks packed in `buffer`: `[u32 message length][32-byte key][64-byte signature][message]`, `count` times. */
export interface VerifyRequest {
  id: number
  count: number
  buffer: ArrayBuffer
}

/** One byte per check of the request, in order: 1 when the signature verifies. */
export interface VerifyReply {
  id: number
  ok: Uint8Array
}

/** Bytes a check takes in a request before its message. */
export const CHECK_HEADER_BYTES = 100
