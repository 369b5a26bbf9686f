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
  /**
   * The DMAP bytes handed to `consume` piece by piece, each piece handled
   * before the next is read. A piece is valid only until `consume`'s effect
   * completes: an uncompressed file is read into one reused buffer, so
   * reading a file of any size allocates nothing per piece.
   */
  readonly eachChunk: <E, R>(
    consume: (chunk: Uint8Array) => Effect.Effect<void, E, R>
  ) => Effect.Effect<void, E | DataFileError, R>
}

/** Pieces of an uncompressed file are read this large. */
const READ_BYTES = 256 * 1024

const readInto = (fd: number, buffer: Uint8Array, path: string): Effect.Effect<number, DataFileError> =>
  Effect.async<number, DataFileError>((resume) => {
    fs.read(fd, buffer, 0, buffer.length, null, (error, bytesRead) => {
      resume(error === null ? Effect.succeed(bytesRead) : Effect.fail(unreadable(path)(error)))
    })
  })

/** Reads the file at `path` through one buffer, each piece consumed before the next read. */
const eachPieceOf = <E, R>(
  path: string,
  consume: (chunk: Uint8Array) => Effect.Effect<void, E, R>
): Effect.Effect<void, E | DataFileError, R> =>
  Effect.acquireUseRelease(
    Effect.tryPromise({ try: () => fs.promises.open(path, "r"), catch: unreadable(path) }),
    (handle) => {
      const buffer = new Uint8Array(READ_BYTES)
      const next: Effect.Effect<void, E | DataFileError, R> = Effect.flatMap(
        readInto(handle.fd, buffer, path),
        (bytesRead) => bytesRead === 0 ? Effect.void : Effect.zipRight(consume(buffer.subarray(0, bytesRead)), next)
      )
      return next
    },
    (handle) => Effect.promise(() => handle.close())
  )

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
    const eachChunk = <E, R>(consume: (chunk: Uint8Array) => Effect.Effect<void, E, R>) =>
      compression === "none" ? eachPieceOf(path, consume) : Stream.runForEach(bytes, consume)
    return { path, compression, fileBytes, bytes, eachChunk }
  })

/** The file's contents, decompressed if its first bytes say so. */
export const readDataFile = (path: string): Stream.Stream<Uint8Array, DataFileError> =>
  Stream.unwrap(Effect.map(openDataFile(path), (file) => file.bytes))
