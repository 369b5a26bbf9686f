import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { decodeRecord, decodeRecords } from "../../../src/dmap/decode.js"
import type { DmapDecodeError } from "../../../src/dmap/errors.js"
import { getArray, getScalar, shapeOf } from "../../../src/dmap/record.js"
import { DmapType } from "../../../src/dmap/types.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { BZIP2_FIXTURES, fixtureBytes, PLAIN_FIXTURES } from "./fixture-files.js"
import { byte, concat, cstring, int16, int32, record, shortScalar } from "./wire-bytes.js"

const leftOf = <A>(either: Either.Either<A, DmapDecodeError>): DmapDecodeError | undefined =>
  Either.isLeft(either) ? either.left : undefined

const scalarValue = (bytes: Uint8Array, index: number, name: string) => {
  const { records } = decodeRecords(bytes)
  return getScalar(records[index]!, name)?.value
}

/** A fixture decodes to at least two records without an error. */
const decodesCompletely = (name: string) => {
  const bytes = fixtureBytes(name)
  const { error, records } = decodeRecords(bytes)
  expect(error).toBeUndefined()
  expect(records.length).toBeGreaterThanOrEqual(2)
}

describe("fixtures", () => {
  it("test.fitacf: 2 records of Inuvik, cp -3503, 75 gates, 26 and 27 echoes", () => {
    const { error, records } = decodeRecords(fixtureBytes("test.fitacf"))
    expect(error).toBeUndefined()
    expect(records).toHaveLength(2)
    for (const rec of records) {
      expect(getScalar(rec, "stid")).toEqual({ name: "stid", type: DmapType.short, value: 64 })
      expect(getScalar(rec, "cp")?.value).toBe(-3503)
      expect(getScalar(rec, "nrang")?.value).toBe(75)
    }
    expect(records.map((rec) => getArray(rec, "slist")?.data.length)).toEqual([26, 27])
    const first = records[0]!
    expect(getScalar(first, "origin.command")?.type).toBe(DmapType.string)
    expect(getScalar(first, "time.us")).toEqual({ name: "time.us", type: DmapType.int, value: 13196 })
    expect(getScalar(first, "noise.sky")?.value).toBeCloseTo(2.5737, 4)
    expect(first.scalars[0]?.name).toBe("radar.revision.major")
    expect(first.arrays[0]?.name).toBe("ptab")
  })

  it("stores dims first-fastest and reports the user-facing shape reversed (ltab is 23 pairs)", () => {
    const ltab = getArray(decodeRecords(fixtureBytes("test.fitacf")).records[0]!, "ltab")!
    expect(ltab.type).toBe(DmapType.short)
    expect(ltab.dims).toEqual([2, 23])
    expect(shapeOf(ltab)).toEqual([23, 2])
    expect(ltab.data).toBeInstanceOf(Int16Array)
    expect(Array.from(ltab.data as Int16Array).slice(0, 4)).toEqual([0, 0, 26, 27])
  })

  it("rawacf keeps 3-D arrays: acfd is stored [2, mplgs, nrang]", () => {
    const rec = decodeRecords(fixtureBytes("test.rawacf")).records[0]!
    const acfd = getArray(rec, "acfd")!
    expect(acfd.dims).toEqual([2, 22, 100])
    expect(shapeOf(acfd)).toEqual([100, 22, 2])
    expect(acfd.data).toHaveLength(2 * 22 * 100)
    expect(getScalar(rec, "stid")?.value).toBe(66)
  })

  it("map records carry strings and doubles", () => {
    const rec = decodeRecords(fixtureBytes("test.map")).records[0]!
    expect(getScalar(rec, "source")).toEqual({ name: "source", type: DmapType.string, value: "map_fit" })
    expect(getScalar(rec, "model.level")?.value).toBe("6<BT<12")
    expect(getScalar(rec, "chi.sqr")).toEqual({ name: "chi.sqr", type: DmapType.double, value: 185.66744777266302 })
    expect(getArray(rec, "N")?.data).toBeInstanceOf(Float64Array)
  })

  it.each(PLAIN_FIXTURES)("%s decodes completely", decodesCompletely)

  it("station and time of the other formats", () => {
    expect(scalarValue(fixtureBytes("test.snd"), 0, "stid")).toBe(211)
    expect(scalarValue(fixtureBytes("test.iqdat"), 0, "time.us")).toBe(277995)
    expect(scalarValue(fixtureBytes("test.grid"), 0, "start.year")).toBe(2015)
  })

  describe("compressed with bzip2", () => {
    testsNeedProgram("bzip2", "bzip2")

    it("pydarn-north.fitacf.bz2: 100 Hankasalmi records, scan -1 exactly at each minute's first beams", () => {
      const { error, records } = decodeRecords(fixtureBytes("pydarn-north.fitacf.bz2"))
      expect(error).toBeUndefined()
      expect(records).toHaveLength(100)
      expect(new Set(records.map((rec) => getScalar(rec, "stid")?.value))).toEqual(new Set([10]))
      const starts = records.flatMap((rec, i) => (getScalar(rec, "scan")?.value === -1 ? [i] : []))
      expect(starts).toEqual([0, 1, 32, 33, 64, 65, 96, 97])
      for (const i of starts) expect(getScalar(records[i]!, "time.sc")?.value).toBe(0)
      expect(starts.map((i) => getScalar(records[i]!, "bmnum")?.value)).toEqual([15, 9, 15, 9, 15, 9, 15, 9])
      const others = records.filter((_, i) => !starts.includes(i))
      expect(new Set(others.map((rec) => getScalar(rec, "scan")?.value))).toEqual(new Set([0]))
    })

    it.each(BZIP2_FIXTURES)("%s decodes completely", decodesCompletely)
  })
})

describe("decodeRecord (exactly one record)", () => {
  const single = record(1, 0, shortScalar("stid", 64))

  it("decodes a buffer holding one record", () => {
    const result = decodeRecord(single)
    expect(Either.getOrThrow(result).scalars).toEqual([{ name: "stid", type: DmapType.short, value: 64 }])
  })

  it("refuses bytes after the record as SizeMismatch", () => {
    expect(leftOf(decodeRecord(concat(single, byte(0))))).toMatchObject({
      reason: "SizeMismatch",
      offset: single.length
    })
  })

  it("refuses a short buffer as Truncated", () => {
    expect(leftOf(decodeRecord(single.subarray(0, 10)))).toMatchObject({ reason: "Truncated", offset: 0 })
    expect(leftOf(decodeRecord(single.subarray(0, single.length - 1)))).toMatchObject({
      reason: "Truncated",
      offset: 0
    })
  })

  it("decodes a real record cut from a file", () => {
    const file = fixtureBytes("test.fitacf")
    const size = new DataView(file.buffer, file.byteOffset).getInt32(4, true)
    const rec = Either.getOrThrow(decodeRecord(file.subarray(size)))
    expect(getArray(rec, "slist")?.data).toHaveLength(27)
  })
})

/** Decodes `bytes` as a file placed after a good record, so offsets are checked as absolute. */
const errorAfterGoodRecord = (bytes: Uint8Array) => {
  const good = record(1, 0, shortScalar("stid", 1))
  const { error, records } = decodeRecords(concat(good, bytes))
  expect(records).toHaveLength(1)
  return { error, base: good.length }
}

describe("each error reason, from hand-written bytes, at its absolute offset", () => {
  it("Truncated: a file ending inside a header", () => {
    const { base, error } = errorAfterGoodRecord(int32(65537))
    expect(error).toMatchObject({ reason: "Truncated", offset: base })
  })

  it("Truncated: a file ending inside a record", () => {
    const whole = record(1, 0, shortScalar("stid", 1))
    const { base, error } = errorAfterGoodRecord(whole.subarray(0, whole.length - 1))
    expect(error).toMatchObject({ reason: "Truncated", offset: base })
  })

  it("BadRecordCode", () => {
    const { base, error } = errorAfterGoodRecord(concat(int32(65536), int32(16), int32(0), int32(0)))
    expect(error).toMatchObject({ reason: "BadRecordCode", offset: base })
  })

  it("SizeTooSmall", () => {
    const { base, error } = errorAfterGoodRecord(record(0, 0, new Uint8Array(0), 15))
    expect(error).toMatchObject({ reason: "SizeTooSmall", offset: base + 4 })
  })

  it("SizeTooLarge, against the configured maximum, before waiting for the bytes", () => {
    const bytes = record(0, 0, new Uint8Array(0), 2_000_000_000)
    expect(decodeRecords(bytes).error).toMatchObject({ reason: "SizeTooLarge", offset: 4 })
    const small = record(1, 0, shortScalar("stid", 1))
    expect(decodeRecords(small, { maxRecordBytes: small.length - 1 }).error).toMatchObject({ reason: "SizeTooLarge" })
    expect(decodeRecords(small, { maxRecordBytes: small.length }).error).toBeUndefined()
  })

  it("SizeMismatch: entries end before the size field says", () => {
    const body = concat(shortScalar("stid", 1), byte(0), byte(0))
    const { base, error } = errorAfterGoodRecord(record(1, 0, body))
    expect(error).toMatchObject({ reason: "SizeMismatch", offset: base + 4 })
  })

  it("BadEntryCount: negative or impossible counts", () => {
    expect(errorAfterGoodRecord(record(-1, 0, shortScalar("stid", 1))).error).toMatchObject({
      reason: "BadEntryCount"
    })
    const { base, error } = errorAfterGoodRecord(record(1, 1_000_000_000, shortScalar("stid", 1)))
    expect(error).toMatchObject({ reason: "BadEntryCount", offset: base + 8 })
  })

  it("UnknownType for a scalar and for an array", () => {
    const scalar = errorAfterGoodRecord(record(1, 0, concat(cstring("x"), byte(7), int32(0))))
    expect(scalar.error).toMatchObject({ reason: "UnknownType", offset: scalar.base + 16 + 2 })
    expect(scalar.error?.detail).toContain("\"x\"")
    const array = errorAfterGoodRecord(record(0, 1, concat(cstring("y"), byte(42), int32(1), int32(1), int32(0))))
    expect(array.error).toMatchObject({ reason: "UnknownType", offset: array.base + 16 + 2 })
  })

  it("NestedRecord: type 255 is refused by name", () => {
    const { error } = errorAfterGoodRecord(
      record(0, 1, concat(cstring("sub"), byte(255), int32(1), int32(1), int32(0)))
    )
    expect(error).toMatchObject({ reason: "NestedRecord" })
  })

  it("BadDimensionCount: zero, negative and absurd", () => {
    for (const count of [0, -3, 17, 1_000_000]) {
      const { base, error } = errorAfterGoodRecord(
        record(0, 1, concat(cstring("a"), byte(3), int32(count), int32(1), int32(0)))
      )
      expect(error).toMatchObject({ reason: "BadDimensionCount", offset: base + 16 + 3 })
    }
  })

  it("NegativeDimension", () => {
    const { base, error } = errorAfterGoodRecord(
      record(0, 1, concat(cstring("a"), byte(3), int32(2), int32(1), int32(-1), int32(0)))
    )
    expect(error).toMatchObject({ reason: "NegativeDimension", offset: base + 16 + 3 + 4 + 4 })
  })

  it("DataPastRecord: elements, forged huge dims, a scalar value, and strings", () => {
    const elements = errorAfterGoodRecord(record(0, 1, concat(cstring("a"), byte(3), int32(1), int32(2), int32(0))))
    expect(elements.error).toMatchObject({ reason: "DataPastRecord", offset: elements.base + 16 + 3 + 8 })
    // 2^31-1 x 2^31-1 doubles would be ~3.7e19 bytes: refused before any allocation.
    const forged = errorAfterGoodRecord(
      record(0, 1, concat(cstring("a"), byte(8), int32(2), int32(0x7fffffff), int32(0x7fffffff), int32(0)))
    )
    expect(forged.error).toMatchObject({ reason: "DataPastRecord" })
    const strings = errorAfterGoodRecord(
      record(0, 1, concat(cstring("s"), byte(9), int32(1), int32(0x7fffffff), cstring("one")))
    )
    expect(strings.error).toMatchObject({ reason: "DataPastRecord" })
    const scalar = errorAfterGoodRecord(record(1, 0, concat(cstring("d"), byte(8), int32(0), int16(0))))
    expect(scalar.error).toMatchObject({ reason: "DataPastRecord", offset: scalar.base + 16 + 3 })
  })

  it("UnterminatedString: a name, a string scalar and a string array element", () => {
    const name = errorAfterGoodRecord(record(1, 0, Uint8Array.from([0x61, 0x62, 0x63, 0x64])))
    expect(name.error).toMatchObject({ reason: "UnterminatedString", offset: name.base + 16 })
    const value = errorAfterGoodRecord(record(1, 0, concat(cstring("s"), byte(9), Uint8Array.from([0x61, 0x62]))))
    expect(value.error).toMatchObject({ reason: "UnterminatedString", offset: value.base + 16 + 3 })
    const element = errorAfterGoodRecord(
      record(0, 1, concat(cstring("s"), byte(9), int32(1), int32(2), cstring("ok"), Uint8Array.from([0x61])))
    )
    expect(element.error).toMatchObject({ reason: "UnterminatedString" })
  })

  it("names its error in the message", () => {
    const { error } = errorAfterGoodRecord(record(1, 0, concat(cstring("x"), byte(7))))
    expect(error?.message).toMatch(/^DMAP UnknownType at byte \d+: scalar "x" has unknown type code 7$/)
  })
})

describe("values", () => {
  it("64-bit integers are exact bigints; unsigned types are unsigned", () => {
    const big = -9007199254740993n
    const body = concat(
      cstring("l"),
      byte(10),
      (() => {
        const b = new Uint8Array(8)
        new DataView(b.buffer).setBigInt64(0, big, true)
        return b
      })(),
      cstring("u"),
      byte(18),
      int32(-1),
      cstring("c"),
      byte(1),
      byte(0xff),
      cstring("uc"),
      byte(16),
      byte(0xff),
      cstring("ul"),
      byte(19),
      new Uint8Array(8).fill(0xff)
    )
    const rec = Either.getOrThrow(decodeRecord(record(5, 0, body)))
    expect(rec.scalars.map((s) => s.value)).toEqual([big, 4294967295, -1, 255, 18446744073709551615n])
  })

  it("strings decode as latin1, byte for byte, and arrays of strings keep their order", () => {
    const body = concat(
      cstring("s"),
      byte(9),
      Uint8Array.from([0xe9, 0x41, 0]),
      cstring("names"),
      byte(9),
      int32(1),
      int32(2),
      cstring("ab"),
      cstring("")
    )
    const rec = Either.getOrThrow(decodeRecord(record(1, 1, body)))
    expect(rec.scalars[0]?.value).toBe("\u00e9A")
    expect(rec.arrays[0]).toEqual({ name: "names", type: DmapType.string, dims: [2], data: ["ab", ""] })
  })

  it("a zero dimension gives an empty array", () => {
    const rec = Either.getOrThrow(
      decodeRecord(record(0, 1, concat(cstring("e"), byte(4), int32(2), int32(3), int32(0))))
    )
    expect(rec.arrays[0]?.dims).toEqual([3, 0])
    expect(rec.arrays[0]?.data).toEqual(new Float32Array(0))
  })

  it("array data is a copy: mutating the input afterwards changes nothing", () => {
    const bytes = record(0, 1, concat(cstring("a"), byte(2), int32(1), int32(2), int16(7), int16(8)))
    const rec = Either.getOrThrow(decodeRecord(bytes))
    bytes.fill(0)
    expect(Array.from(rec.arrays[0]!.data as Int16Array)).toEqual([7, 8])
  })

  it("elements at odd file offsets decode correctly (copied to aligned memory)", () => {
    const bytes = record(
      0,
      1,
      concat(cstring("ab"), byte(8), int32(1), int32(2), new Uint8Array(new Float64Array([1.5, -2.25]).buffer))
    )
    const rec = Either.getOrThrow(decodeRecord(bytes))
    expect(Array.from(rec.arrays[0]!.data as Float64Array)).toEqual([1.5, -2.25])
  })
})
