/**
 * The one counting pass-through: every copy that must know how many bytes
 * went by (a download, a decompressor's output) puts it in its pipeline. It
 * reports the running count and, given `refuse`, stops the copy with that
 * error the moment the count crosses a limit.
 */
import { Transform } from "node:stream"

export interface ByteCounter {
  readonly stream: Transform
  /** Bytes passed so far. */
  readonly bytes: () => number
}

export const byteCounter = (options: {
  readonly onProgress?: ((bytes: number) => void) | undefined
  /** An error to stop with once `bytes` is too many, else undefined. */
  readonly refuse?: ((bytes: number) => Error | undefined) | undefined
} = {}): ByteCounter => {
  let bytes = 0
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length
      const refusal = options.refuse?.(bytes)
      if (refusal !== undefined) return callback(refusal)
      options.onProgress?.(bytes)
      callback(null, chunk)
    }
  })
  return { stream, bytes: () => bytes }
}
