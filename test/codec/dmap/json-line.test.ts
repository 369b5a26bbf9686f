import { describe, expect, it } from "@effect/vitest"
import { decodeRecords } from "../../../src/dmap/decode.js"
import { JsonLineWriter, recordJson } from "../../../src/dmap/json-line.js"
import { getArray, getScalar } from "../../../src/dmap/record.js"
import { type DmapRecord, DmapType } from "../../../src/dmap/types.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { fixtureBytes, PLAIN_FIXTURES } from "./fixture-files.js"
import { byte, concat, cstring, int32, record as recordBytes } from "./wire-bytes.js"

/**
 * The dump format by its definition, written the slow way: each number by
 * JSON.stringify (the special values by name), arrays nested by Array.from.
 */
const referenceJson = (record: DmapRecord): string => {
  const number = (value: unknown): string =>
    typeof value === "bigint"
      ? value.toString()
      : typeof value === "string"
      ? JSON.stringify(value)
      : Number.isNaN(value)
      ? "\"NaN\""
      : value === Infinity
      ? "\"Infinity\""
      : value === -Infinity
      ? "\"-Infinity\""
      : Object.is(value, -0)
      ? "-0"
      : JSON.stringify(value)
  const nested = (data: ArrayLike<unknown>, dims: ReadonlyArray<number>, level: number, start: number): string => {
    const stride = dims.slice(0, level).reduce((a, b) => a * b, 1)
    const items = Array.from(
      { length: dims[level]! },
      (_, i) => level === 0 ? number(data[start + i]) : nested(data, dims, level - 1, start + i * stride)
    )
    return `[${items.join(",")}]`
  }
  const fields = [
    ...record.scalars.map((s) => `${JSON.stringify(s.name)}:${number(s.value)}`),
    ...record.arrays.map((a) =>
      `${JSON.stringify(a.name)}:${nested(a.data as ArrayLike<unknown>, a.dims, a.dims.length - 1, 0)}`
    )
  ]
  return `{${fields.join(",")}}`
}

/** Every record of the fixture, written by recordJson, equals the reference writer's text. */
const writesAsDefined = (name: string) => {
  const { error, records } = decodeRecords(fixtureBytes(name))
  expect(error).toBeUndefined()
  for (const record of records) {
    // First from the record's bytes, then (its fields built by the reference) from its field objects.
    const fromBytes = recordJson(record)
    expect(fromBytes).toBe(referenceJson(record))
    expect(recordJson(record)).toBe(fromBytes)
  }
}

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

  it.each(PLAIN_FIXTURES)("writes every record of %s as the format's definition says, byte for byte", writesAsDefined)

  it("JsonLineWriter: one line per record, the bytes handed out once and then written over", () => {
    const records = decodeRecords(fixtureBytes("test.fitacf")).records
    const writer = new JsonLineWriter()
    writer.add(records[0]!)
    writer.add(records[1]!)
    const text = new TextDecoder().decode(writer.take())
    expect(text).toBe(`${referenceJson(records[0]!)}\n${referenceJson(records[1]!)}\n`)
    expect(writer.size).toBe(0)
    // Latin-1 names and strings are written as UTF-8, as stdout writes a string.
    writer.add({ scalars: [{ name: "\u00e9", type: DmapType.string, value: "\u00ff\u0001" }], arrays: [] })
    expect(new TextDecoder().decode(writer.take())).toBe("{\"\u00e9\":\"\u00ff\\u0001\"}\n")
  })

  it("writes a decoded record's strings and names of every latin1 byte as JSON.stringify escapes them", () => {
    const every = String.fromCharCode(...Array.from({ length: 255 }, (_, i) => i + 1))
    const bytes = recordBytes(
      2,
      1,
      concat(
        cstring(every),
        byte(DmapType.string),
        cstring(every),
        cstring("q\"\\"),
        byte(DmapType.int),
        int32(-7),
        cstring("\u00e9\n"),
        byte(DmapType.short),
        int32(1),
        int32(1),
        Uint8Array.of(5, 0)
      )
    )
    const decoded = decodeRecords(bytes)
    expect(decoded.error).toBeUndefined()
    const text = recordJson(decoded.records[0]!)
    expect(text).toBe(`{${JSON.stringify(every)}:${JSON.stringify(every)},"q\\"\\\\":-7,"\u00e9\\n":[5]}`)
    expect(JSON.parse(text)).toEqual({ [every]: every, "q\"\\": -7, "\u00e9\n": [5] })
  })

  it("a record larger than the writer's buffer is written whole", () => {
    const data = Float32Array.from({ length: 50000 }, (_, i) => i / 7)
    const record: DmapRecord = { scalars: [], arrays: [{ name: "x", type: DmapType.float, dims: [data.length], data }] }
    expect(recordJson(record)).toBe(referenceJson(record))
  })
})

describe("recordJson, a bzip2 fixture", () => {
  testsNeedProgram("bzip2", "bzip2")

  it("writes every record of pydarn-north.fitacf.bz2 as the format's definition says, byte for byte", () =>
    writesAsDefined("pydarn-north.fitacf.bz2"))
})
