/**
 * gzip and zlib decompression with node:zlib. The buffer forms are bounded by
 * `maxOutputLength`, so a small hostile message cannot expand without limit.
 *
 * Observed node:zlib behaviour (Node 20): a truncated gzip member fails with
 * Z_BUF_ERROR "unexpected end of file"; bytes after the last member that are
 * not another member fail with Z_DATA_ERROR (so trailing garbage is refused);
 * concatenated members decode completely; output beyond `maxOutputLength`
 * fails with ERR_BUFFER_TOO_LARGE.
 */
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import * as zlib from "node:zlib"

export class GunzipError extends Data.TaggedError("GunzipError")<{
  readonly reason: "Corrupt" | "Truncated" | "TooLarge"
  readonly detail: string
}> {
  override get message(): string {
    return `gzip/zlib ${this.reason}: ${this.detail}`
  }
}

const toGunzipError = (error: unknown): GunzipError => {
  const code = (error as { code?: unknown } | null)?.code
  const detail = error instanceof Error ? error.message : String(error)
  if (code === "ERR_BUFFER_TOO_LARGE") return new GunzipError({ reason: "TooLarge", detail })
  if (code === "Z_BUF_ERROR") return new GunzipError({ reason: "Truncated", detail })
  return new GunzipError({ reason: "Corrupt", detail })
}

type ZlibCall = (input: zlib.InputType, options: zlib.ZlibOptions, callback: zlib.CompressCallback) => void

/** Runs on libuv's thread pool, so a large payload does not stall the event loop. */
const bounded = (call: ZlibCall, input: Uint8Array, maxOutputBytes: number): Effect.Effect<Uint8Array, GunzipError> =>
  Effect.async<Uint8Array, GunzipError>((resume) => {
    call(input, { maxOutputLength: maxOutputBytes }, (error, output) => {
      resume(error === null ? Effect.succeed(output) : Effect.fail(toGunzipError(error)))
    })
  })

/** zlib (RFC 1950) inflate, as the ZeroMQ aggregator sends it; fails with TooLarge past the cap. */
export const inflateBounded = (input: Uint8Array, maxOutputBytes: number): Effect.Effect<Uint8Array, GunzipError> =>
  bounded(zlib.inflate, input, maxOutputBytes)

/** gzip (RFC 1952), all members; fails with TooLarge past the cap. */
export const gunzipBounded = (input: Uint8Array, maxOutputBytes: number): Effect.Effect<Uint8Array, GunzipError> =>
  bounded(zlib.gunzip, input, maxOutputBytes)

/** Streamed gunzip of a whole file, all members, failing on truncation or garbage. */
export const gunzipStream = <E, R>(
  input: Stream.Stream<Uint8Array, E, R>
): Stream.Stream<Uint8Array, E | GunzipError, R> =>
  NodeStream.pipeThroughDuplex(input, () => zlib.createGunzip(), toGunzipError)
