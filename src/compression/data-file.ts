/**
 * Reading a DMAP data file that may be plain, bzip2 or gzip compressed,
 * recognised by its first bytes, as one byte stream.
 */
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
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

interface Head {
  readonly head: Uint8Array
  readonly fileBytes: number
}

const readHead = (path: string): Effect.Effect<Head, DataFileError> =>
  Effect.tryPromise({
    try: async () => {
      const handle = await fs.promises.open(path, "r")
      try {
        const head = new Uint8Array(DETECT_BYTES)
        const { bytesRead } = await handle.read(head, 0, DETECT_BYTES, 0)
        const { size } = await handle.stat()
        return { head: head.subarray(0, bytesRead), fileBytes: size }
      } finally {
        await handle.close()
      }
    },
    catch: unreadable(path)
  })

export interface DataFile {
  readonly path: string
  readonly compression: Compression
  /** Size on disk, compressed or not. */
  readonly fileBytes: number
  /** The DMAP bytes, decompressed as the file's first bytes say. */
  readonly bytes: Stream.Stream<Uint8Array, DataFileError>
}

/** Opens a data file far enough to know its compression and size; the bytes are read when streamed. */
export const openDataFile = (path: string): Effect.Effect<DataFile, DataFileError> =>
  Effect.map(readHead(path), ({ fileBytes, head }) => {
    const raw = NodeStream.fromReadable(() => fs.createReadStream(path), unreadable(path))
    const compression = detectCompression(head)
    const fromCodec = (error: Bzip2Error | GunzipError | DataFileError): DataFileError =>
      error._tag === "DataFileError"
        ? error
        : new DataFileError({ path, compression, reason: error.reason, detail: error.detail })
    const bytes = compression === "bzip2"
      ? Stream.mapError(bunzip2Stream(raw), fromCodec)
      : compression === "gzip"
      ? Stream.mapError(gunzipStream(raw), fromCodec)
      : raw
    return { path, compression, fileBytes, bytes }
  })

/** The file's contents, decompressed if its first bytes say so. */
export const readDataFile = (path: string): Stream.Stream<Uint8Array, DataFileError> =>
  Stream.unwrap(Effect.map(openDataFile(path), (file) => file.bytes))
