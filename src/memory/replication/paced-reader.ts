import type { Stream } from '@libp2p/interface'
import type { LengthPrefixedStream } from '@libp2p/utils'
import type { Uint8ArrayList } from 'uint8arraylist'

/** Bytes a varint length prefix of `n` takes. */
function prefixBytes (n: number): number {
  let bytes = 1
  while (n >= 128) {
    n = Math.floor(n / 128)
    bytes++
  }
  return bytes
}

/**
 * Reads length-prefixed frames from a stream whose reader takes its time over each one,
 * holding the sender back: the muxer grants a stream window as data arrives, not as it
 * is read, so a reader that falls behind would see unread frames pile up until its read
 * buffer overflows. Once `lowWater` bytes wait unread after a frame is taken, the stream
 * is paused (the muxer stops granting window, and the sender stops once the window it
 * has is spent); it resumes when fewer wait. `lowWater` must exceed the largest frame,
 * so that a paused stream always holds a whole frame to read.
 *
 * @example
 * ```ts
 * const reader = new PacedReader(stream, lpStream(stream, { maxDataLength, maxBufferSize }), 2 * maxDataLength)
 * const frame = await reader.read({ signal })
 * ```
 */
export class PacedReader {
  private readonly stream: Stream
  private readonly lp: LengthPrefixedStream<Stream>
  private readonly lowWater: number
  private received = 0
  private taken = 0

  constructor (stream: Stream, lp: LengthPrefixedStream<Stream>, lowWater: number) {
    this.stream = stream
    this.lp = lp
    this.lowWater = lowWater
    stream.addEventListener('message', (evt) => { this.received += evt.data.byteLength })
  }

  /** Bytes that arrived and wait to be read. */
  get unread (): number {
    return this.received - this.taken
  }

  /** The next frame; the stream is resumed first when few bytes wait, and paused after when many do. */
  async read (options?: { signal?: AbortSignal }): Promise<Uint8ArrayList> {
    if (this.stream.readStatus === 'paused' && this.unread < this.lowWater) this.stream.resume()
    const frame = await this.lp.read(options)
    this.taken += frame.byteLength + prefixBytes(frame.byteLength)
    if (this.stream.readStatus === 'readable' && this.unread >= this.lowWater) this.stream.pause()
    return frame
  }
}
