/**
 * The decoder checks a record against the layouts it has seen before it
 * reads any name (RecordLayout.matches), and only a record that check
 * refuses goes through the full check. These tests hold the two to the same
 * verdicts: whatever the cache holds, a record decodes to the same fields or
 * fails with the same error at the same offset.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import { decodeRecord, decodeRecords } from "../../../src/dmap/decode.js"
import { DecodedRecord } from "../../../src/dmap/decoded-record.js"
import { encodeRecord } from "../../../src/dmap/encode.js"
import { recordLayouts } from "../../../src/dmap/record-layout.js"
import { DmapType } from "../../../src/dmap/types.js"
import { fixtureBytes } from "./fixture-files.js"
import { byte, concat, cstring, int32, record, shortScalar } from "./wire-bytes.js"

const fitacf = fixtureBytes("test.fitacf")
const firstFitacf = fitacf.subarray(0, new DataView(fitacf.buffer, fitacf.byteOffset).getInt32(4, true))
const grid = fixtureBytes("test.grid")
const firstGrid = grid.subarray(0, new DataView(grid.buffer, grid.byteOffset).getInt32(4, true))

type Verdict =
  | { readonly ok: true; readonly fields: unknown }
  | { readonly ok: false; readonly reason: string; readonly offset: number; readonly message: string }

const verdict = (bytes: Uint8Array): Verdict => {
  const result = decodeRecord(bytes)
  if (Either.isLeft(result)) {
    return { ok: false, reason: result.left.reason, offset: result.left.offset, message: result.left.message }
  }
  const decoded = result.right
  return {
    ok: true,
    fields: [...decoded.scalars, ...decoded.arrays.map((array) => ({ ...array, data: array.data }))]
  }
}

/** The verdict with the layouts of `seen` cached, and with none: they must agree. */
const sameVerdictEitherWay = (seen: Uint8Array, bytes: Uint8Array): void => {
  recordLayouts.clear()
  const fresh = verdict(bytes)
  recordLayouts.clear()
  expect(Either.isRight(decodeRecord(seen))).toBe(true)
  const cached = verdict(bytes)
  expect(cached).toEqual(fresh)
}

/** A real record with a few bytes overwritten: mostly the same names, garbage where it counts. */
const overwritten = (base: Uint8Array) =>
  fc.array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 0, max: 255 })), {
    minLength: 1,
    maxLength: 6
  }).map((writes) => {
    const bytes = Uint8Array.from(base)
    for (const [at, value] of writes) bytes[at] = value
    return bytes
  })

describe("record layouts", () => {
  it("are shared by the records that have the same fields, and the records read as before", () => {
    recordLayouts.clear()
    // Two formats interleaved, as the records of a feed of several radars may be.
    const input = concat(fitacf, firstGrid, fitacf, firstGrid)
    const { error, records } = decodeRecords(input)
    expect(error).toBeUndefined()
    const layouts = new Set(records.map((record) => (record as DecodedRecord).layout))
    expect(layouts.size).toBe(2)
    expect(records.filter((record) => (record as DecodedRecord).layout === (records[0] as DecodedRecord).layout))
      .toHaveLength(records.length - 2)
    for (const record of records) {
      const layout = (record as DecodedRecord).layout
      expect(record.scalars.map((scalar) => scalar.name)).toEqual(layout.names.slice(0, layout.scalarCount))
      expect(record.arrays.map((array) => array.name)).toEqual(layout.names.slice(layout.scalarCount))
    }
    // Decoded again with every layout cached: the same fields, the same bytes.
    const again = decodeRecords(input).records
    expect(again).toEqual(records)
    for (let i = 0; i < records.length; i++) {
      expect(Buffer.compare(encodeRecord(again[i]!), encodeRecord(records[i]!))).toBe(0)
    }
  })

  it("a mutated record gets the verdict it gets with no layout cached: the same fields or the same error", () => {
    fc.assert(fc.property(overwritten(firstFitacf), (bytes) => sameVerdictEitherWay(firstFitacf, bytes)), {
      numRuns: 1500
    })
    fc.assert(fc.property(overwritten(firstGrid), (bytes) => sameVerdictEitherWay(firstGrid, bytes)), {
      numRuns: 500
    })
  })

  it("a record cut short or with a string run past its end is refused where the full check refuses it", () => {
    const withString = record(
      2,
      0,
      concat(cstring("origin.time"), byte(DmapType.string), cstring("now"), shortScalar("a", 1))
    )
    // The string's NUL and everything after it gone, the size still right: the string runs past the end.
    const unterminated = record(1, 0, concat(cstring("origin.time"), byte(DmapType.string), Uint8Array.of(110, 111)))
    sameVerdictEitherWay(withString, unterminated)
    expect(verdict(unterminated)).toMatchObject({ ok: false, reason: "UnterminatedString" })
    // Same names, the size field two bytes short of the entries.
    const short = withString.slice(0, withString.length - 2)
    new DataView(short.buffer).setInt32(4, short.length, true)
    sameVerdictEitherWay(withString, short)
    expect(verdict(short)).toMatchObject({ ok: false })
    // Same fields, two bytes more in the record than the entries use.
    const padded = concat(withString, Uint8Array.of(0, 0))
    new DataView(padded.buffer).setInt32(4, padded.length, true)
    sameVerdictEitherWay(withString, padded)
    expect(verdict(padded)).toMatchObject({ ok: false, reason: "SizeMismatch" })
  })

  it("a record whose last array is one element shorter than its size field says is refused either way", () => {
    const array = (count: number) =>
      record(
        1,
        1,
        concat(
          shortScalar("nrang", 2),
          cstring("pwr0"),
          byte(DmapType.float),
          int32(1),
          int32(count),
          new Uint8Array(4 * 2)
        )
      )
    const shrunk = array(1)
    // The same bytes, the dimension one less: the entries end four bytes before the record does.
    sameVerdictEitherWay(array(2), shrunk)
    expect(verdict(shrunk)).toMatchObject({ ok: false, reason: "SizeMismatch" })
  })

  it("a field too near the record's end for whole words is matched byte by byte", () => {
    // Last field: a one-letter char scalar, 4 bytes in all: reading words would pass the end.
    const tail = (value: number) =>
      record(2, 0, concat(shortScalar("bmnum", 7), cstring("c"), byte(DmapType.char), byte(value)))
    recordLayouts.clear()
    const first = Either.getOrThrow(decodeRecord(tail(1))) as DecodedRecord
    const second = Either.getOrThrow(decodeRecord(tail(2))) as DecodedRecord
    expect(second.layout).toBe(first.layout)
    expect(second.scalars.map((scalar) => scalar.value)).toEqual([7, 2])
    // A different last name of the same length and type is a different layout.
    const other = record(2, 0, concat(shortScalar("bmnum", 7), cstring("d"), byte(DmapType.char), byte(3)))
    const third = Either.getOrThrow(decodeRecord(other)) as DecodedRecord
    expect(third.layout).not.toBe(first.layout)
    expect(third.scalars.map((scalar) => scalar.name)).toEqual(["bmnum", "d"])
  })

  it("keep at most 32 layouts however many different records arrive, and reuse an equal one", () => {
    recordLayouts.clear()
    for (let i = 0; i < 500; i++) {
      expect(Either.isRight(decodeRecord(record(1, 0, shortScalar(`field${i}`, i))))).toBe(true)
    }
    expect(recordLayouts.size).toBe(32)
    const a = Either.getOrThrow(decodeRecord(record(1, 0, shortScalar("field499", 1)))) as DecodedRecord
    const b = Either.getOrThrow(decodeRecord(record(1, 0, shortScalar("field499", 2)))) as DecodedRecord
    expect(b.layout).toBe(a.layout)
    expect(recordLayouts.size).toBe(32)
  })

  it("differ by type as well as by name", () => {
    recordLayouts.clear()
    const asShort = Either.getOrThrow(decodeRecord(record(1, 0, shortScalar("tfreq", 10500)))) as DecodedRecord
    const asInt = Either.getOrThrow(
      decodeRecord(record(1, 0, concat(cstring("tfreq"), byte(DmapType.int), int32(10500))))
    ) as DecodedRecord
    expect(asInt.layout).not.toBe(asShort.layout)
    expect(asInt.scalars[0]).toEqual({ name: "tfreq", type: DmapType.int, value: 10500 })
  })
})
