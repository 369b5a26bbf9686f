/**
 * The pass-through every copying source puts between its input and the work
 * file: it reports the running byte count and, given a cap, stops the copy
 * the moment the file grows past it (whatever the server claimed).
 */
import { Data } from "effect"
import { Transform } from "node:stream"

export class DownloadTooLarge extends Data.TaggedError("DownloadTooLarge")<{
  readonly maxBytes: number
}> {
  override get message(): string {
    return `larger than the ${Math.round(this.maxBytes / (1024 * 1024))} MB download cap`
  }

  /** The same file will be as large next time. */
  get retryable(): boolean {
    return false
  }
}

export interface ByteCounter {
  readonly stream: Transform
  /** Bytes passed so far. */
  readonly bytes: () => number
}

export const byteCounter = (options: {
  readonly onProgress?: ((bytes: number) => void) | undefined
  readonly maxBytes?: number | undefined
} = {}): ByteCounter => {
  let bytes = 0
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length
      if (options.maxBytes !== undefined && bytes > options.maxBytes) {
        return callback(new DownloadTooLarge({ maxBytes: options.maxBytes }))
      }
      options.onProgress?.(bytes)
      callback(null, chunk)
    }
  })
  return { stream, bytes: () => bytes }
}
