import { describe, expect, it } from "@effect/vitest"
import { decodeRecords } from "../../../src/dmap/decode.js"
import { DmapFileSummary, guessFormat, recordSpan, recordStations } from "../../../src/dmap/file-summary.js"
import { type DmapRecord, DmapType } from "../../../src/dmap/types.js"
import { fixtureBytes } from "./fixture-files.js"

const first = (name: string): DmapRecord => decodeRecords(fixtureBytes(name)).records[0]!

describe("file summary", () => {
  it("guesses each fixture's format from its fields, and unknown for anything else", () => {
    const formats = ["test.fitacf", "test.rawacf", "test.iqdat", "test.grid", "test.map", "test.snd"].map((name) =>
      guessFormat(first(name))
    )
    expect(formats).toEqual(["fitacf", "rawacf", "iqdat", "grid", "map", "snd"])
    expect(guessFormat({ scalars: [{ name: "stid", type: DmapType.short, value: 1 }], arrays: [] })).toBe("unknown")
  })

  it("a radar record covers one instant, including its microseconds", () => {
    expect(recordSpan(first("test.fitacf"))).toEqual([
      Date.UTC(2022, 10, 7, 18, 1, 0) + 13.196,
      Date.UTC(2022, 10, 7, 18, 1, 0) + 13.196
    ])
  })

  it("a grid record covers start to end; stations come from its stid array", () => {
    const grid = first("test.grid")
    expect(recordSpan(grid)).toEqual([Date.UTC(2015, 2, 1, 20, 2, 0), Date.UTC(2015, 2, 1, 20, 4, 0)])
    expect(recordStations(grid)).toEqual([64])
  })

  it("a record without time fields adds to the count but not to the span", () => {
    const summary = new DmapFileSummary()
    summary.add({ scalars: [], arrays: [] })
    expect(summary.records).toBe(1)
    expect(summary.from).toBeUndefined()
    expect([...summary.formats]).toEqual(["unknown"])
  })
})
