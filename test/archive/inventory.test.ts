/** The inventory's pure part: query checks and two-hour slot gaps. */
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { findGaps, gapJson, parseInventoryQuery, SLOT_MS, slotStart } from "../../src/domain/archive-inventory.js"

const at = (iso: string) => Date.parse(iso)

describe("findGaps", () => {
  const from = at("2026-11-01T00:00:00Z")
  const to = at("2026-11-02T00:00:00Z")

  it("a day with no files lacks all twelve slots", () => {
    const gaps = findGaps(from, to, [])
    expect(gaps).toHaveLength(12)
    expect(gapJson(gaps[0]!)).toEqual({ from: "2026-11-01T00:00:00Z", to: "2026-11-01T02:00:00Z" })
    expect(gapJson(gaps[11]!)).toEqual({ from: "2026-11-01T22:00:00Z", to: "2026-11-02T00:00:00Z" })
  })

  it("a file starting anywhere inside a slot covers it; one file covers one slot only", () => {
    const starts = [
      at("2026-11-01T00:00:00Z"),
      at("2026-11-01T02:00:03Z"),
      at("2026-11-01T05:59:59Z"), // late start: covers 04-06, not 06-08
      at("2026-11-01T08:00:00Z"),
      at("2026-11-01T09:00:00Z") // a split file: the slot is already covered
    ]
    const gaps = findGaps(from, to, starts).map(gapJson)
    expect(gaps.map((gap) => gap.from.slice(11, 13))).toEqual(["06", "10", "12", "14", "16", "18", "20", "22"])
  })

  it("files outside the range count for nothing", () => {
    const gaps = findGaps(from, to, [at("2026-10-31T23:00:00Z"), at("2026-11-02T00:00:00Z")])
    expect(gaps).toHaveLength(12)
  })

  it("a range starting and ending mid-slot reports the partial slots, cut to the range", () => {
    const gaps = findGaps(at("2026-11-01T01:00:00Z"), at("2026-11-01T05:00:00Z"), [at("2026-11-01T02:30:00Z")])
    expect(gaps.map(gapJson)).toEqual([
      { from: "2026-11-01T01:00:00Z", to: "2026-11-01T02:00:00Z" },
      { from: "2026-11-01T04:00:00Z", to: "2026-11-01T05:00:00Z" }
    ])
  })

  it("a full month of files leaves no gap; slots are even UTC hours", () => {
    const month = findGaps(from, at("2026-12-01T00:00:00Z"), [])
    expect(month).toHaveLength(30 * 12)
    const all = month.map((gap) => gap.startMs)
    expect(findGaps(from, at("2026-12-01T00:00:00Z"), all)).toEqual([])
    expect(slotStart(at("2026-11-01T03:59:59Z"))).toBe(at("2026-11-01T02:00:00Z"))
    expect(SLOT_MS).toBe(7_200_000)
  })
})

describe("parseInventoryQuery", () => {
  const good = { radar: "sas", type: "rawacf", from: "2026-11-01", to: "2026-12-01" }

  it("reads dates as UTC midnights", () => {
    expect(parseInventoryQuery(good)).toEqual(
      Either.right({
        radar: "sas",
        type: "rawacf",
        fromMs: at("2026-11-01T00:00:00Z"),
        toMs: at("2026-12-01T00:00:00Z")
      })
    )
  })

  it.each([
    [{ radar: "SAS" }, "radar: expected a three-letter radar code, got \"SAS\""],
    [{ radar: "../x" }, "radar: expected a three-letter radar code, got \"../x\""],
    [{ type: "rawacfx" }, "type: expected one of"],
    [{ from: "2026-02-30" }, "from: expected an ISO 8601 date or time, got \"2026-02-30\""],
    [{ to: "yesterday" }, "to: expected an ISO 8601 date or time"],
    [{ to: "2026-11-01" }, "to: must be after from (2026-11-01)"],
    [{ to: "2028-01-01" }, "to: the range may span at most 366 days"]
  ])("refuses %j", (change, message) => {
    const result = parseInventoryQuery({ ...good, ...change })
    expect(Either.isLeft(result)).toBe(true)
    if (Either.isLeft(result)) {
      expect(result.left._tag).toBe("InventoryQueryError")
      expect(result.left.message.startsWith(message)).toBe(true)
    }
  })
})
