/**
 * The full integrity test of a bzip2 file: decompress every stream with the
 * system tool, count what comes out, and optionally hash it (to compare
 * contents across different compressions).
 */
import { NodeStream } from "@effect/platform-node"
import { Data, Effect, Stream } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import { bunzip2Stream, type Bzip2Error } from "../compression/bunzip2.js"

export class IntegrityError extends Data.TaggedError("IntegrityError")<{
  readonly path: string
  readonly reason: Bzip2Error["reason"] | "Empty" | "Unreadable"
  readonly detail: string
}> {
  override get message(): string {
    return `${this.path} failed the bzip2 test: ${this.reason}: ${this.detail}`
  }
}

export interface Decompressed {
  readonly bytes: number
  /** Hex SHA-1 of the decompressed content, when asked for. */
  readonly sha1: string | undefined
}

const fileStream = (path: string) =>
  NodeStream.fromReadable<IntegrityError, Uint8Array>(
    () => fs.createReadStream(path, { highWaterMark: 1 << 20 }),
    (error) => new IntegrityError({ path, reason: "Unreadable", detail: String(error) })
  )

/** Fails unless the file decompresses completely, to more than zero bytes, with nothing after its last stream. */
export const testBzip2File = (path: string, options: { readonly hash: boolean }) =>
  Effect.gen(function*() {
    const hash = options.hash ? createHash("sha1") : undefined
    const bytes = yield* bunzip2Stream(fileStream(path)).pipe(
      Stream.runFold(0, (total, chunk) => {
        hash?.update(chunk)
        return total + chunk.length
      }),
      Effect.mapError((error) =>
        error._tag === "IntegrityError" ? error : new IntegrityError({ path, reason: error.reason, detail: error.detail })
      )
    )
    if (bytes === 0) {
      return yield* new IntegrityError({ path, reason: "Empty", detail: "decompresses to zero bytes" })
    }
    return { bytes, sha1: hash?.digest("hex") } satisfies Decompressed
  })
