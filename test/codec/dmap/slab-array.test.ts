import { describe, expect, it } from "@effect/vitest"
import { decodeRecords } from "../../../src/dmap/decode.js"
import { encodeRecord } from "../../../src/dmap/encode.js"
import { SlabArray } from "../../../src/dmap/record-body.js"
import { getArray } from "../../../src/dmap/record.js"
import { DmapType } from "../../../src/dmap/types.js"
import { fixtureBytes } from "./fixture-files.js"

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
