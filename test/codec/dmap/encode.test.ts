import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { decodeRecord, decodeRecords } from "../../../src/dmap/decode.js"
import { encodedSize, encodeRecord, encodeRecords } from "../../../src/dmap/encode.js"
import { getScalar, withScalars } from "../../../src/dmap/record.js"
import { type DmapRecord, DmapType } from "../../../src/dmap/types.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { BZIP2_FIXTURES, fixtureBytes, PLAIN_FIXTURES } from "./fixture-files.js"

/** A fixture decoded and encoded again gives its own bytes. */
const roundTrips = (name: string) => {
  const bytes = fixtureBytes(name)
  const { error, records } = decodeRecords(bytes)
  expect(error).toBeUndefined()
  const encoded = encodeRecords(records)
  expect(encoded.length).toBe(bytes.length)
  expect(Buffer.compare(encoded, bytes)).toBe(0)
}

/** The same, with every array read first, so the encoder writes the arrays' typed views, not the record's bytes. */
const roundTripsThroughArrays = (name: string) => {
  const bytes = fixtureBytes(name)
  const { records } = decodeRecords(bytes)
  for (const record of records) expect(record.arrays.length).toBeGreaterThanOrEqual(0)
  const encoded = encodeRecords(records)
  expect(Buffer.compare(encoded, bytes)).toBe(0)
  expect(encodedSize(records[0]!)).toBe(encodeRecord(records[0]!).length)
}

describe("encode", () => {
  it.each(PLAIN_FIXTURES)("decode then encode is byte-identical: %s", roundTrips)
  it.each(PLAIN_FIXTURES)("decode, read the arrays, then encode is byte-identical: %s", roundTripsThroughArrays)

  describe("compressed with bzip2", () => {
    testsNeedProgram("bzip2", "bzip2")

    it.each(BZIP2_FIXTURES)("decode then encode is byte-identical: %s", roundTrips)
  })

  it("encodedSize is the size field written", () => {
    const rec = decodeRecords(fixtureBytes("test.fitacf")).records[0]!
    const bytes = encodeRecord(rec)
    expect(encodedSize(rec)).toBe(bytes.length)
    expect(new DataView(bytes.buffer).getInt32(4, true)).toBe(bytes.length)
  })

  it("writes every type, including exact 64-bit values and latin1 strings", () => {
    const rec: DmapRecord = {
      scalars: [
        { name: "c", type: DmapType.char, value: -5 },
        { name: "s", type: DmapType.short, value: -300 },
        { name: "i", type: DmapType.int, value: -70000 },
        { name: "f", type: DmapType.float, value: 0.5 },
        { name: "d", type: DmapType.double, value: Number.NaN },
        { name: "str", type: DmapType.string, value: "caf\u00e9" },
        { name: "l", type: DmapType.long, value: -(2n ** 62n) - 1n },
        { name: "uc", type: DmapType.uchar, value: 250 },
        { name: "us", type: DmapType.ushort, value: 65000 },
        { name: "ui", type: DmapType.uint, value: 4000000000 },
        { name: "ul", type: DmapType.ulong, value: 2n ** 64n - 1n }
      ],
      arrays: [
        { name: "grid", type: DmapType.float, dims: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) },
        { name: "big", type: DmapType.ulong, dims: [1], data: BigUint64Array.of(2n ** 63n) },
        { name: "words", type: DmapType.string, dims: [2], data: ["a", "bc"] }
      ]
    }
    const decoded = Either.getOrThrow(decodeRecord(encodeRecord(rec)))
    // Decoded numeric arrays create `data` on first read (a getter, not an own field): compare field by field.
    const plain = decoded.arrays.map(({ data, dims, name, type }) => ({ name, type, dims, data }))
    expect({ scalars: decoded.scalars, arrays: plain }).toEqual(rec)
  })

  it("converts values held in another typed array than the type's own", () => {
    const rec: DmapRecord = {
      scalars: [],
      arrays: [{ name: "v", type: DmapType.float, dims: [2], data: Int32Array.of(3, -4) }]
    }
    const decoded = Either.getOrThrow(decodeRecord(encodeRecord(rec)))
    expect(decoded.arrays[0]?.data).toEqual(Float32Array.of(3, -4))
  })

  it("refuses what DMAP cannot hold: a NUL in a name, a character above U+00FF, dims that disagree with the data", () => {
    const scalar = (name: string, value: string): DmapRecord => ({
      scalars: [{ name, type: DmapType.string, value }],
      arrays: []
    })
    expect(() => encodeRecord(scalar("a\u0000b", "x"))).toThrow(RangeError)
    expect(() => encodeRecord(scalar("a", "\u20ac"))).toThrow(RangeError)
    expect(() =>
      encodeRecord({ scalars: [], arrays: [{ name: "a", type: DmapType.short, dims: [3], data: Int16Array.of(1) }] })
    ).toThrow(/dims \[3\] do not match 1 elements/)
  })
})

describe("withScalars", () => {
  it("re-stamps time fields keeping each field's type and position, and encodes to the same layout", () => {
    const original = decodeRecords(fixtureBytes("test.fitacf")).records[0]!
    const stamped = withScalars(original, { "time.yr": 2026, "time.us": 999999, "origin.time": "now", nosuch: 1 })
    expect(stamped.scalars.map((s) => [s.name, s.type])).toEqual(original.scalars.map((s) => [s.name, s.type]))
    expect(getScalar(stamped, "time.yr")).toEqual({ name: "time.yr", type: DmapType.short, value: 2026 })
    expect(getScalar(stamped, "time.us")).toEqual({ name: "time.us", type: DmapType.int, value: 999999 })
    expect(getScalar(original, "time.yr")?.value).toBe(2022)
    expect(stamped.arrays).toBe(original.arrays)
    const again = Either.getOrThrow(decodeRecord(encodeRecord(stamped)))
    expect(getScalar(again, "time.yr")?.value).toBe(2026)
    expect(getScalar(again, "origin.time")?.value).toBe("now")
    expect(encodeRecord(stamped).length).toBe(encodeRecord(original).length - "Mon Dec 12 22:06:12 2022".length + 3)
  })

  it("converts values to the field's representation (bigint for 64-bit fields)", () => {
    const rec: DmapRecord = {
      scalars: [
        { name: "l", type: DmapType.long, value: 1n },
        { name: "i", type: DmapType.int, value: 1 }
      ],
      arrays: []
    }
    expect(withScalars(rec, { l: 5, i: 7n }).scalars.map((s) => s.value)).toEqual([5n, 7])
  })
})
