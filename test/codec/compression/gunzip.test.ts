import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import * as zlib from "node:zlib"
import { gunzipBounded, gunzipStream, inflateBounded } from "../../../src/compression/gunzip.js"
import { fixtureBytes } from "../dmap/fixture-files.js"

const plain = fixtureBytes("test.rawacf")
const gzipped = zlib.gzipSync(plain)

describe("bounded buffers", () => {
  it.effect("inflate (zlib) and gunzip within the cap", () =>
    Effect.gen(function*() {
      expect(Buffer.compare(yield* inflateBounded(zlib.deflateSync(plain), plain.length), plain)).toBe(0)
      expect(Buffer.compare(yield* gunzipBounded(gzipped, plain.length), plain)).toBe(0)
    }))

  it.effect("fail with TooLarge past the cap (a zlib bomb)", () =>
    Effect.gen(function*() {
      const bomb = zlib.deflateSync(new Uint8Array(50_000_000))
      expect(bomb.length).toBeLessThan(100_000)
      expect(yield* Effect.flip(inflateBounded(bomb, 1_000_000))).toMatchObject({
        _tag: "GunzipError",
        reason: "TooLarge"
      })
      expect(yield* Effect.flip(gunzipBounded(gzipped, plain.length - 1))).toMatchObject({ reason: "TooLarge" })
    }))

  it.effect("fail with Truncated on a cut payload and Corrupt on garbage", () =>
    Effect.gen(function*() {
      expect(yield* Effect.flip(gunzipBounded(gzipped.subarray(0, gzipped.length - 20), 1 << 20))).toMatchObject({
        reason: "Truncated"
      })
      expect(yield* Effect.flip(inflateBounded(new TextEncoder().encode("not zlib at all"), 1 << 20))).toMatchObject({
        reason: "Corrupt"
      })
    }))
})

describe("gunzipStream", () => {
  const run = (bytes: Uint8Array) =>
    Stream.fromIterable([bytes.subarray(0, 1000), bytes.subarray(1000)]).pipe(
      gunzipStream,
      Stream.runCollect,
      Effect.map((chunks) => Buffer.concat(Chunk.toReadonlyArray(chunks)))
    )

  it.effect("decodes all members of a multi-member file", () =>
    Effect.gen(function*() {
      const out = yield* run(Buffer.concat([gzipped, gzipped]))
      expect(out.length).toBe(2 * plain.length)
      expect(Buffer.compare(out.subarray(plain.length), plain)).toBe(0)
    }))

  it.effect("fails on truncation and on trailing garbage", () =>
    Effect.gen(function*() {
      expect(yield* Effect.flip(run(gzipped.subarray(0, gzipped.length - 5)))).toMatchObject({ reason: "Truncated" })
      const garbage = Buffer.concat([gzipped, new TextEncoder().encode("garbage")])
      expect(yield* Effect.flip(run(garbage))).toMatchObject({ reason: "Corrupt" })
    }))
})
