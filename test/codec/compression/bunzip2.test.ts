import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import { bunzip2Buffer, bunzip2Stream, Bzip2Error } from "../../../src/compression/bunzip2.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { fixtureBytes, fixturePath } from "../dmap/fixture-files.js"

testsNeedProgram("bzip2", "bzip2")

const bzip2 = (data: Uint8Array): Uint8Array =>
  new Uint8Array(execFileSync("bzip2", ["-c"], { input: data, maxBuffer: 1 << 28 }))

const join = (chunks: Chunk.Chunk<Uint8Array>): Uint8Array => Buffer.concat(Chunk.toReadonlyArray(chunks))

/** Cuts bytes into chunks of `size`, as a file or socket would deliver them. */
const chunked = (bytes: Uint8Array, size: number) =>
  Stream.fromIterable(
    Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size))
  )

const decompress = (bytes: Uint8Array, size = 4096) =>
  bunzip2Stream(chunked(bytes, size)).pipe(Stream.runCollect, Effect.map(join))

/** Child processes of this test process still running (bzip2 we failed to stop would show here). */
const liveChildren = (): Array<string> => {
  const out = execFileSync("ps", ["-o", "pid=,comm=", "--ppid", String(process.pid)], { encoding: "utf8" })
  return out.split("\n").filter((line) => /bzip2/.test(line))
}

const compressed = new Uint8Array(fs.readFileSync(fixturePath("pydarn-north.fitacf.bz2")))
/** Read on first use: without bzip2 the tests are skipped and this never runs. */
const plain = () => fixtureBytes("pydarn-north.fitacf.bz2")

describe("bunzip2Stream", () => {
  it.live("decompresses a real file delivered in small chunks", () =>
    Effect.gen(function*() {
      expect(Buffer.compare(yield* decompress(compressed, 1000), plain())).toBe(0)
    }))

  it.live("decodes every stream of a multi-stream file (pbzip2/lbzip2 style)", () =>
    Effect.gen(function*() {
      const first = plain().subarray(0, 200_000)
      const second = plain().subarray(200_000)
      const multi = Buffer.concat([bzip2(first), bzip2(second), bzip2(Uint8Array.of(1, 2, 3))])
      const out = yield* decompress(multi)
      expect(out.length).toBe(plain().length + 3)
      expect(Buffer.compare(out.subarray(0, plain().length), plain())).toBe(0)
    }))

  it.live("fails with Truncated on a cut file, wherever the cut falls", () =>
    Effect.gen(function*() {
      for (const length of [10, 5000, compressed.length - 1]) {
        const error = yield* Effect.flip(decompress(compressed.subarray(0, length)))
        expect(error).toBeInstanceOf(Bzip2Error)
        expect(error.reason).toBe("Truncated")
      }
    }))

  it.live("fails with Corrupt on a flipped byte", () =>
    Effect.gen(function*() {
      const corrupt = Uint8Array.from(compressed)
      corrupt[100_000] = corrupt[100_000]! ^ 0xff
      const error = yield* Effect.flip(decompress(corrupt))
      expect(error.reason).toBe("Corrupt")
      expect(error.detail).toMatch(/exited with code/)
    }))

  it.live("fails with Corrupt on data that is not bzip2 at all", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(decompress(new TextEncoder().encode("hello, not bzip2")))
      expect(error.reason).toBe("Corrupt")
    }))

  it.live("fails with TrailingGarbage although bzip2 itself exits 0", () =>
    Effect.gen(function*() {
      const garbage = Buffer.concat([compressed, new TextEncoder().encode("garbage\n")])
      const error = yield* Effect.flip(decompress(garbage))
      expect(error.reason).toBe("TrailingGarbage")
    }))

  it.live("an empty input is not a bzip2 file: Truncated, never an empty success", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(bunzip2Stream(Stream.empty).pipe(Stream.runCollect))
      expect(error.reason).toBe("Truncated")
    }))

  it.live("the input stream's own failure fails the output (no hang waiting for stdin's end)", () =>
    Effect.gen(function*() {
      const input = Stream.concat(Stream.make(compressed.subarray(0, 50_000)), Stream.fail("disk error" as const))
      const error = yield* Effect.flip(bunzip2Stream(input).pipe(Stream.runCollect))
      expect(error).toBe("disk error")
      yield* Effect.sleep("100 millis")
      expect(liveChildren()).toEqual([])
    }))

  it.live("stopping early (interruption) kills the child", () =>
    Effect.gen(function*() {
      // bzip2 holds back the end of its output until it sees what follows,
      // so three whole streams are fed before an input that never ends and
      // keeps bzip2 waiting: only our kill can end it.
      const endless = Stream.concat(Stream.make(compressed, compressed, compressed), Stream.never)
      const first = yield* bunzip2Stream(endless).pipe(Stream.take(1), Stream.runCollect)
      expect(Chunk.size(first)).toBe(1)
      yield* Effect.sleep("100 millis")
      expect(liveChildren()).toEqual([])
    }))
})

describe("bunzip2Buffer", () => {
  it.live("decompresses within the cap", () =>
    Effect.gen(function*() {
      const out = yield* bunzip2Buffer(compressed, plain().length)
      expect(Buffer.compare(out, plain())).toBe(0)
    }))

  it.live("a bomb fails with TooLarge as soon as the cap is passed, and the child is killed", () =>
    Effect.gen(function*() {
      // 20 MB of zeros compresses to under 100 bytes.
      const bomb = bzip2(new Uint8Array(20_000_000))
      expect(bomb.length).toBeLessThan(100)
      const result = yield* Effect.either(bunzip2Buffer(bomb, 1_000_000))
      expect(Either.isLeft(result) && result.left.reason).toBe("TooLarge")
      yield* Effect.sleep("100 millis")
      expect(liveChildren()).toEqual([])
    }))

  it.live("reports truncation, not a short buffer", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(bunzip2Buffer(compressed.subarray(0, compressed.length - 10), 10_000_000))
      expect(error.reason).toBe("Truncated")
    }))
})
