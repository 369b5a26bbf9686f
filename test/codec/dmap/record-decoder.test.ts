import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import fc from "fast-check"
import { decodeRecords } from "../../../src/dmap/decode.js"
import { DmapDecodeError } from "../../../src/dmap/errors.js"
import { recordJson } from "../../../src/dmap/json-line.js"
import { DmapRecordDecoder } from "../../../src/dmap/record-decoder.js"
import type { DmapRecord } from "../../../src/dmap/types.js"
import { dmapRecords } from "../../../src/streams/dmap-records.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { fixtureBytes } from "./fixture-files.js"
import { concat, int32, record, shortScalar } from "./wire-bytes.js"

/** Cuts `bytes` at the given sizes (cycled), the way a socket might deliver them. */
const cut = (bytes: Uint8Array, sizes: ReadonlyArray<number>): Array<Uint8Array> => {
  const chunks: Array<Uint8Array> = []
  let offset = 0
  for (let i = 0; offset < bytes.length; i++) {
    const size = sizes[i % sizes.length]!
    chunks.push(bytes.subarray(offset, offset + size))
    offset += size
  }
  return chunks
}

const feed = (chunks: ReadonlyArray<Uint8Array>) => {
  const decoder = new DmapRecordDecoder()
  const records: Array<DmapRecord> = []
  let error: DmapDecodeError | undefined
  for (const chunk of chunks) {
    const step = decoder.push(chunk)
    records.push(...step.records)
    error ??= step.error
  }
  error ??= decoder.finish()
  return { records, error }
}

describe("DmapRecordDecoder", () => {
  const file = concat(fixtureBytes("test.fitacf"), fixtureBytes("test.snd"), fixtureBytes("test.rawacf"))
  const whole = decodeRecords(file)

  it("fed random chunk sizes, gives exactly the whole-buffer result", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 20 }), (sizes) => {
        const result = feed(cut(file, sizes))
        expect(result.error).toBeUndefined()
        expect(result.records).toEqual(whole.records)
      }),
      { numRuns: 60 }
    )
  })

  it("keeps nothing of a chunk once push returned: the caller may write over it", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9000 }), (size) => {
        const decoder = new DmapRecordDecoder()
        const reused = new Uint8Array(size)
        const records: Array<DmapRecord> = []
        for (let offset = 0; offset < file.length; offset += size) {
          const piece = file.subarray(offset, offset + size)
          reused.set(piece)
          records.push(...decoder.push(reused.subarray(0, piece.length)).records)
          reused.fill(0xa5)
        }
        expect(decoder.finish()).toBeUndefined()
        expect(records).toEqual(whole.records)
      }),
      { numRuns: 40 }
    )
  })

  it("with transientRecords, each push's records are right until the next push, whatever the chunk sizes", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 30000 }), { minLength: 1, maxLength: 8 }), (sizes) => {
        const decoder = new DmapRecordDecoder({ transientRecords: true })
        const lines: Array<string> = []
        for (const chunk of cut(file, sizes)) {
          for (const record of decoder.push(chunk).records) lines.push(recordJson(record))
        }
        expect(decoder.finish()).toBeUndefined()
        expect(lines).toEqual(whole.records.map(recordJson))
      }),
      { numRuns: 40 }
    )
  })

  it("fed one byte at a time, with empty chunks in between", () => {
    const chunks = cut(file.subarray(0, 12000), [1]).flatMap((chunk) => [chunk, new Uint8Array(0)])
    const result = feed(chunks)
    const expected = decodeRecords(file.subarray(0, 12000))
    expect(result.records).toHaveLength(3)
    expect(result.records).toEqual(expected.records)
    expect(expected.error).toMatchObject({ reason: "Truncated", offset: 10780 + 815 })
    expect(result.error).toMatchObject({ reason: "Truncated", offset: 10780 + 815 })
  })

  it("yields each record as soon as its last byte arrives", () => {
    const decoder = new DmapRecordDecoder()
    const firstSize = 5324
    expect(decoder.push(file.subarray(0, firstSize - 1)).records).toHaveLength(0)
    expect(decoder.push(file.subarray(firstSize - 1, firstSize)).records).toHaveLength(1)
    expect(decoder.offset).toBe(firstSize)
    expect(decoder.finish()).toBeUndefined()
  })

  it("reports errors at absolute stream offsets and then stays failed", () => {
    const bad = concat(fixtureBytes("test.fitacf"), int32(7), int32(16), int32(0), int32(0))
    const decoder = new DmapRecordDecoder()
    const step = decoder.push(bad)
    expect(step.records).toHaveLength(2)
    expect(step.error).toMatchObject({ reason: "BadRecordCode", offset: 10780 })
    expect(decoder.push(fixtureBytes("test.fitacf"))).toEqual({ records: [], error: step.error })
    expect(decoder.finish()).toBe(step.error)
  })

  it("refuses an oversized size field from the header alone, without buffering the record", () => {
    const decoder = new DmapRecordDecoder({ maxRecordBytes: 1000 })
    const step = decoder.push(concat(int32(65537), int32(1001)))
    expect(step.error).toBeUndefined()
    expect(decoder.push(concat(int32(0), int32(0))).error).toMatchObject({ reason: "SizeTooLarge", offset: 4 })
  })

  it("a clean end after whole records is no error; an end mid-record is Truncated", () => {
    const decoder = new DmapRecordDecoder()
    decoder.push(record(1, 0, shortScalar("a", 1)))
    expect(decoder.finish()).toBeUndefined()
    const partial = new DmapRecordDecoder()
    partial.push(record(1, 0, shortScalar("a", 1)).subarray(0, 5))
    expect(partial.finish()).toMatchObject({ reason: "Truncated", offset: 0 })
  })
})

describe("dmapRecords stream", () => {
  it.effect("emits the good records, then fails with the decode error", () =>
    Effect.gen(function*() {
      const bytes = concat(fixtureBytes("test.fitacf"), new Uint8Array(20))
      const seen: Array<DmapRecord> = []
      const result = yield* Stream.make(bytes).pipe(
        dmapRecords(),
        Stream.runForEach((rec) => Effect.sync(() => seen.push(rec))),
        Effect.either
      )
      expect(seen).toHaveLength(2)
      const error = Either.getLeft(result)
      expect(error._tag === "Some" && error.value instanceof DmapDecodeError && error.value.offset).toBe(10780)
    }))

  it.effect("fails with Truncated when the bytes end inside a record", () =>
    Effect.gen(function*() {
      const bytes = fixtureBytes("test.fitacf")
      const result = yield* Stream.make(bytes.subarray(0, 6000)).pipe(dmapRecords(), Stream.runCollect, Effect.flip)
      expect(result).toMatchObject({ _tag: "DmapDecodeError", reason: "Truncated", offset: 5324 })
    }))

  it.effect("passes the byte stream's own failure through", () =>
    Effect.gen(function*() {
      const result = yield* Stream.fail("socket closed").pipe(dmapRecords(), Stream.runCollect, Effect.flip)
      expect(result).toBe("socket closed")
    }))

  it.effect("each run starts with a fresh decoder", () =>
    Effect.gen(function*() {
      const stream = Stream.make(fixtureBytes("test.fitacf")).pipe(dmapRecords())
      expect(Chunk.size(yield* Stream.runCollect(stream))).toBe(2)
      expect(Chunk.size(yield* Stream.runCollect(stream))).toBe(2)
    }))

  describe("the 100 records of pydarn-north.fitacf.bz2", () => {
    testsNeedProgram("bzip2", "bzip2")

    it.effect("decodes a chunked byte stream", () =>
      Effect.gen(function*() {
        const file = fixtureBytes("pydarn-north.fitacf.bz2")
        const records = yield* Stream.fromIterable(cut(file, [4096, 17, 65536])).pipe(dmapRecords(), Stream.runCollect)
        expect(Chunk.toReadonlyArray(records)).toEqual(decodeRecords(file).records)
      }))
  })
})
