/**
 * A thread that checks Ed25519 signatures in batches for `verify-pool.ts`: each message
 * holds many checks packed in one buffer (`[u32 message length][32-byte key][64-byte
 * signature][message]`, repeated), and the answer is one byte per check (1: valid).
 */
import { parentPort } from 'node:worker_threads'
import { sodiumCheck } from './sodium.js'
import { CHECK_HEADER_BYTES } from './verify-protocol.js'
import type { VerifyReply, VerifyRequest } from './verify-protocol.js'

const check = sodiumCheck()
const port = parentPort
if (port == null) throw new Error('verify-worker runs as a worker thread')

port.on('message', (request: VerifyRequest) => {
  const bytes = new Uint8Array(request.buffer)
  const view = new DataView(request.buffer)
  const ok = new Uint8Array(request.count)
  let at = 0
  for (let i = 0; i < request.count; i++) {
    const length = view.getUint32(at, true)
    const key = bytes.subarray(at + 4, at + 36)
    const signature = bytes.subarray(at + 36, at + 100)
    const message = bytes.subarray(at + CHECK_HEADER_BYTES, at + CHECK_HEADER_BYTES + length)
    ok[i] = check?.(signature, message, key) === true ? 1 : 0
    at += CHECK_HEADER_BYTES + length
  }
  const reply: VerifyReply = { id: request.id, ok }
  port.postMessage(reply, [ok.buffer])
})
