/**
 * Reading a DMAP data file that may be plain, bzip2 or gzip compressed,
 * recognised by its first bytes, as one byte stream.
 */
import { NodeStream } from "@effect/platform-node"
import { Data, Effect, Stream } from "effect"
import * as fs from "node:fs"
import { bunzip2Stream, type Bzip2Error } from "./bunzip2.js"
import { type Compression, DETECT_BYTES, detectCompression } from "./detect.js"
import { type GunzipError, gunzipStream } from "./gunzip.js"

export class DataFileError extends Data.TaggedError("DataFileError")<{
  readonly path: string
  readonly compression: Compression
  readonly reason: "Unreadable" | Bzip2Error["reason"] | GunzipError["reason"]
  readonly detail: string
}> {
  override get message(): string {
    const how = this.compression === "none" ? "" : ` (${this.compression})`
    return `${this.path}${how}: ${this.reason}: ${this.detail}`
  }
}

const unreadable = (path: string) => (error: unknown): DataFileError =>
  new DataFileError({
    path,
    compression: "none",
    reason: "Unreadable",
    detail: error instanceof Error ? error.message : String(error)
  })

const readHead = (path: string): Effect.Effect<Uint8Array, DataFileError> =>
  Effect.tryPromise({
    try: async () => {
      const handle = await fs.promises.open(path, "r")
      try {
        const head = new Uint8Array(DETECT_BYTES)
        const { bytesRead } = await handle.read(head, 0, DETECT_BYTES, 0)
        return head.subarray(0, bytesRead)
      } finally {
        await handle.close()
      }
    },
    catch: unreadable(path)
  })

/** The file's contents, decompressed if its first bytes say so. */
export const readDataFile = (path: string): Stream.Stream<Uint8Array, DataFileError> =>
  Stream.unwrap(
    Effect.map(readHead(path), (head) => {
      const raw = NodeStream.fromReadable(() => fs.createReadStream(path), unreadable(path))
      const compression = detectCompression(head)
      const fromCodec = (error: Bzip2Error | GunzipError | DataFileError): DataFileError =>
        error._tag === "DataFileError"
          ? error
          : new DataFileError({ path, compression, reason: error.reason, detail: error.detail })
      switch (compression) {
        case "bzip2":
          return Stream.mapError(bunzip2Stream(raw), fromCodec)
        case "gzip":
          return Stream.mapError(gunzipStream(raw), fromCodec)
        case "none":
          return raw
      }
    })
  )
