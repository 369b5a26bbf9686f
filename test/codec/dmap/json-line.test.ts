import { describe, expect, it } from "@effect/vitest"
import { decodeRecords } from "../../../src/dmap/decode.js"
import { recordJson } from "../../../src/dmap/json-line.js"
import { getArray, getScalar } from "../../../src/dmap/record.js"
import { type DmapRecord, DmapType } from "../../../src/dmap/types.js"
import { fixtureBytes } from "./fixture-files.js"

describe("recordJson", () => {
  it("keeps file order and nests arrays in the user-facing shape", () => {
    const record = decodeRecords(fixtureBytes("test.fitacf")).records[0]!
    const text = recordJson(record)
    const parsed = JSON.parse(text) as Record<string, unknown>
    expect(Object.keys(parsed)).toEqual([...record.scalars.map((s) => s.name), ...record.arrays.map((a) => a.name)])
    expect(parsed["stid"]).toBe(64)
    expect(parsed["origin.time"]).toBe("Mon Dec 12 22:06:12 2022")
    const ltab = parsed["ltab"] as Array<Array<number>>
    expect(ltab).toHaveLength(23)
    expect(ltab.every((pair) => pair.length === 2)).toBe(true)
    expect(ltab.slice(0, 2)).toEqual([[0, 0], [26, 27]])
    expect(parsed["v"]).toEqual(Array.from(getArray(record, "v")!.data as Float32Array))
    expect(parsed["noise.sky"]).toBe(getScalar(record, "noise.sky")!.value)
  })

  it("nests 3-D arrays slowest-first: acfd stored [2, 22, 100] is 100 x 22 x 2", () => {
    const record = decodeRecords(fixtureBytes("test.rawacf")).records[0]!
    const acfd = (JSON.parse(recordJson(record)) as { acfd: Array<Array<Array<number>>> }).acfd
    const flat = getArray(record, "acfd")!.data as Float32Array
    expect([acfd.length, acfd[0]!.length, acfd[0]![0]!.length]).toEqual([100, 22, 2])
    // Stored index = re + 2 * (lag + 22 * gate).
    expect(acfd[7]![3]![1]).toBe(flat[1 + 2 * (3 + 22 * 7)])
    expect(acfd[99]![21]![0]).toBe(flat[0 + 2 * (21 + 22 * 99)])
  })

  it("writes NaN and infinities as strings, -0 as -0, and 64-bit integers with every digit", () => {
    const record: DmapRecord = {
      scalars: [
        { name: "nan", type: DmapType.double, value: Number.NaN },
        { name: "big", type: DmapType.long, value: 9007199254740993n },
        { name: "ubig", type: DmapType.ulong, value: 18446744073709551615n },
        { name: "quote", type: DmapType.string, value: "a\"b\\c\u00e9" }
      ],
      arrays: [
        { name: "f", type: DmapType.float, dims: [4], data: Float32Array.of(1.5, Number.NaN, Infinity, -Infinity) },
        { name: "z", type: DmapType.double, dims: [2], data: Float64Array.of(-0, 0) },
        { name: "l", type: DmapType.long, dims: [2], data: BigInt64Array.of(-9223372036854775808n, 1n) },
        { name: "s", type: DmapType.string, dims: [2], data: ["x", "y\n"] },
        { name: "empty", type: DmapType.short, dims: [3, 0], data: new Int16Array(0) },
        { name: "rows", type: DmapType.short, dims: [0, 2], data: new Int16Array(0) }
      ]
    }
    const text = recordJson(record)
    expect(text).toBe(
      "{\"nan\":\"NaN\",\"big\":9007199254740993,\"ubig\":18446744073709551615,\"quote\":\"a\\\"b\\\\c\u00e9\"," +
        "\"f\":[1.5,\"NaN\",\"Infinity\",\"-Infinity\"],\"z\":[-0,0],\"l\":[-9223372036854775808,1]," +
        "\"s\":[\"x\",\"y\\n\"],\"empty\":[],\"rows\":[[],[]]}"
    )
    expect(() => JSON.parse(text)).not.toThrow()
  })
})
