import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { decodeRecord, decodeRecords } from "../../../src/dmap/decode.js"
import { DecodedRecord, SlabArray } from "../../../src/dmap/decoded-record.js"
import { encodeRecord } from "../../../src/dmap/encode.js"
import { DmapRecordDecoder } from "../../../src/dmap/record-decoder.js"
import { getArray } from "../../../src/dmap/record.js"
import { DmapType } from "../../../src/dmap/types.js"
import { fixtureBytes } from "./fixture-files.js"

describe("decoded records (DecodedRecord)", () => {
  it("build their scalars and arrays on first read, then keep them; the wire bytes are the record's", () => {
    const bytes = fixtureBytes("test.fitacf")
    const record = decodeRecords(bytes).records[0]!
    expect(record).toBeInstanceOf(DecodedRecord)
    const decoded = record as DecodedRecord
    expect(decoded.arraysRead).toBe(false)
    expect(record.scalars).toBe(record.scalars)
    expect(record.arrays).toBe(record.arrays)
    expect(decoded.arraysRead).toBe(true)
    expect(decoded.scalarCount).toBe(record.scalars.length)
    expect(decoded.arrayCount).toBe(record.arrays.length)
    const size = new DataView(bytes.buffer, bytes.byteOffset).getInt32(4, true)
    expect(Buffer.compare(decoded.wireBytes(), bytes.subarray(0, size))).toBe(0)
    expect(record.arrays.map((_, i) => decoded.fieldName(decoded.scalarCount + i))).toEqual(
      record.arrays.map((array) => array.name)
    )
  })

  it("from decodeRecord and the incremental decoder do not share memory with the input: it may be written over", () => {
    const bytes = fixtureBytes("test.fitacf")
    const [before] = decodeRecords(bytes).records
    const size = new DataView(bytes.buffer, bytes.byteOffset).getInt32(4, true)
    const one = Uint8Array.from(bytes.subarray(0, size))
    const single = Either.getOrThrow(decodeRecord(one))
    one.fill(0)
    const chunk = Uint8Array.from(bytes)
    const [streamed] = new DmapRecordDecoder().push(chunk).records
    chunk.fill(0)
    for (const record of [single, streamed!]) {
      expect(record).toEqual(before)
      expect(Buffer.compare(encodeRecord(record), encodeRecord(before!))).toBe(0)
    }
  })

  it("from decodeRecords read the input's bytes, with only their field tables new", () => {
    const bytes = Uint8Array.from(fixtureBytes("test.fitacf"))
    const record = decodeRecords(bytes).records[0] as DecodedRecord
    expect(record.source.bytes.buffer).toBe(bytes.buffer)
    expect(record.start).toBe(0)
  })
})

describe("decoded arrays (SlabArray)", () => {
  it("are views into one slab per record, created on first read and then kept", () => {
    const record = decodeRecords(fixtureBytes("test.fitacf")).records[0]!
    const v = getArray(record, "v")!
    const pwr0 = getArray(record, "pwr0")!
    expect(v).toBeInstanceOf(SlabArray)
    expect(v.data).toBe(v.data)
    expect(v.data).toBeInstanceOf(Float32Array)
    expect((v as SlabArray).length).toBe(v.data.length)
    expect((v.data as Float32Array).buffer).toBe((pwr0.data as Float32Array).buffer)
    expect([...(v as SlabArray)]).toEqual(Array.from(v.data as Float32Array))
  })

  it("compare by their data: records that differ only in an array's values are not equal", () => {
    const bytes = fixtureBytes("test.fitacf")
    const [a] = decodeRecords(bytes).records
    const [b] = decodeRecords(bytes).records
    expect(a).toEqual(b)
    const changed = encodeRecord({
      scalars: a!.scalars,
      arrays: a!.arrays.map((array) =>
        array.name === "v" ? { ...array, data: (array.data as Float32Array).map((x) => x + 1) } : array
      )
    })
    const [c] = decodeRecords(changed).records
    expect(getArray(c!, "v")!.type).toBe(DmapType.float)
    expect(c).not.toEqual(a)
  })
})
