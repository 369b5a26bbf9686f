/**
 * The full integrity test of a bzip2 file, in one pass over it:
 * - every stream decompresses (lbzip2 on every core where installed, else
 *   bzip2), and the file ends exactly at the last stream's end-of-stream
 *   marker (lbzip2 ignores trailing bytes silently, so the tail is checked
 *   here, not by the tool);
 * - the output stays within the decompression limits (a bomb is stopped as it
 *   expands, not after);
 * - the output is what the file's type says: DMAP types decode as DMAP records
 *   to the end (streamed through the project's decoder), Borealis HDF5 starts
 *   with the HDF5 signature, logs are UTF-8 text;
 * - optionally, the output's SHA-1 (to compare contents across compressions).
 *
 * Every collected file passes through here, so the output is checked in one
 * synchronous callback per piece the decompressor writes (`bunzip2File`),
 * not through a stream.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import { bunzip2File, type Bzip2Error, endsAtStreamEnd, STREAM_END_BYTES } from "../compression/bunzip2.js"
import { decompressionExcess, type DecompressionLimits } from "../compression/decompression-limits.js"
import { DmapRecordDecoder } from "../dmap/record-decoder.js"
import { BOREALIS_TYPES, type FileType, LOG_TYPES } from "../domain/file-name.js"

export class IntegrityError extends Data.TaggedError("IntegrityError")<{
  readonly path: string
  readonly reason: Bzip2Error["reason"] | "Empty" | "Unreadable" | "NotData"
  readonly detail: string
}> {
  override get message(): string {
    return `${this.path} failed the bzip2 test: ${this.reason}: ${this.detail}`
  }

  /** The bytes are the problem, not the transfer: fetching them again gives the same answer. */
  get refusesFile(): boolean {
    return this.reason === "TooLarge" || this.reason === "NotData"
  }
}

export interface Decompressed {
  readonly bytes: number
  /** Hex SHA-1 of the decompressed content, when asked for. */
  readonly sha1: string | undefined
}

export type ContentKind = "dmap" | "hdf5" | "text"

export const contentKindOf = (type: FileType): ContentKind =>
  (BOREALIS_TYPES as ReadonlyArray<string>).includes(type)
    ? "hdf5"
    : (LOG_TYPES as ReadonlyArray<string>).includes(type)
    ? "text"
    : "dmap"

export interface TestOptions {
  readonly hash: boolean
  readonly limits: DecompressionLimits
  readonly content: ContentKind
  /** lbzip2's threads for this file (see Bunzip2Options.threads); all cores when unset. */
  readonly threads?: number
}

const HDF5_SIGNATURE = Uint8Array.of(0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a)

/** Checks decompressed bytes as they stream by; returns why they are not `kind`, or undefined. */
interface ContentCheck {
  readonly push: (chunk: Uint8Array) => string | undefined
  readonly finish: () => string | undefined
}

const contentCheck = (kind: ContentKind): ContentCheck => {
  switch (kind) {
    case "dmap": {
      // The records are only counted, so each push may reuse the last one's memory.
      const decoder = new DmapRecordDecoder({ transientRecords: true })
      let records = 0
      return {
        push: (chunk) => {
          const step = decoder.push(chunk)
          records += step.records.length
          return step.error === undefined ? undefined : `not DMAP records: ${step.error.message}`
        },
        finish: () => {
          const error = decoder.finish()
          if (error !== undefined) return `not DMAP records: ${error.message}`
          return records === 0 ? "not DMAP records: no complete record" : undefined
        }
      }
    }
    case "hdf5": {
      const head = new Uint8Array(HDF5_SIGNATURE.length)
      let seen = 0
      const verdict = () =>
        head.every((byte, i) => byte === HDF5_SIGNATURE[i]) ? undefined : "not HDF5: no HDF5 signature at the start"
      return {
        push: (chunk) => {
          if (seen >= head.length) return undefined
          const take = Math.min(head.length - seen, chunk.length)
          head.set(chunk.subarray(0, take), seen)
          seen += take
          return seen === head.length ? verdict() : undefined
        },
        finish: () => (seen < head.length ? "not HDF5: shorter than its signature" : undefined)
      }
    }
    case "text": {
      const decoder = new TextDecoder("utf-8", { fatal: true })
      let offset = 0
      const check = (chunk: Uint8Array | undefined) => {
        if (chunk !== undefined) {
          const nul = chunk.indexOf(0)
          if (nul >= 0) return `not text: a NUL byte at offset ${offset + nul}`
          offset += chunk.length
        }
        try {
          decoder.decode(chunk, { stream: chunk !== undefined })
          return undefined
        } catch {
          return `not text: invalid UTF-8 near offset ${offset}`
        }
      }
      return { push: (chunk) => check(chunk), finish: () => check(undefined) }
    }
  }
}

/** The file's size and its last bytes, for the end-of-stream check and the ratio limit. */
const sizeAndTail = (path: string) =>
  Effect.tryPromise({
    try: async () => {
      const handle = await fs.promises.open(path, "r")
      try {
        const { size } = await handle.stat()
        const tail = new Uint8Array(Math.min(size, STREAM_END_BYTES))
        await handle.read(tail, 0, tail.length, size - tail.length)
        return { size, tail }
      } finally {
        await handle.close()
      }
    },
    catch: (error) => new IntegrityError({ path, reason: "Unreadable", detail: String(error) })
  })

/**
 * Fails unless the file decompresses completely, within the limits, to more
 * than zero bytes of its type's content, with nothing after its last stream.
 */
export const testBzip2File = (path: string, options: TestOptions) =>
  Effect.gen(function*() {
    const { size, tail } = yield* sizeAndTail(path)
    const hash = options.hash ? createHash("sha1") : undefined
    const content = contentCheck(options.content)
    let bytes = 0
    yield* bunzip2File(path, (chunk) => {
      bytes += chunk.length
      const excess = decompressionExcess(options.limits, size, bytes)
      if (excess !== undefined) return new IntegrityError({ path, reason: "TooLarge", detail: excess })
      const wrong = content.push(chunk)
      if (wrong !== undefined) return new IntegrityError({ path, reason: "NotData", detail: wrong })
      hash?.update(chunk)
      return undefined
    }, { fast: true, ...(options.threads === undefined ? {} : { threads: options.threads }) }).pipe(
      Effect.mapError((error) => {
        switch (error._tag) {
          case "IntegrityError":
            return error
          case "Bzip2InputError":
            return new IntegrityError({ path, reason: "Unreadable", detail: error.reason })
          case "Bzip2Error": {
            // lbzip2 names a cut-off file by whatever it hit last; no end marker at the end says it plainly.
            const reason = error.reason === "Corrupt" && !endsAtStreamEnd(tail) ? "Truncated" : error.reason
            return new IntegrityError({ path, reason, detail: error.detail })
          }
        }
      })
    )
    // After decompression, so a cut-off file is reported as truncated rather than as garbage-tailed.
    if (!endsAtStreamEnd(tail)) {
      return yield* new IntegrityError({
        path,
        reason: "TrailingGarbage",
        detail: "bytes follow the last stream's end-of-stream marker"
      })
    }
    if (bytes === 0) {
      return yield* new IntegrityError({ path, reason: "Empty", detail: "decompresses to zero bytes" })
    }
    const wrong = content.finish()
    if (wrong !== undefined) return yield* new IntegrityError({ path, reason: "NotData", detail: wrong })
    return { bytes, sha1: hash?.digest("hex") } satisfies Decompressed
  })
