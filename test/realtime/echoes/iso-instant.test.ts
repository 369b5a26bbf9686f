import { describe, expect, it } from "@effect/vitest"
import { Option } from "effect"
import { formatCompactUtc, formatIsoSeconds, parseIsoInstant } from "../../../src/domain/iso-instant.js"

describe("parseIsoInstant", () => {
  const T = Date.UTC(2025, 8, 27, 12, 30, 15)

  it("reads dates and date-times, a missing zone meaning UTC", () => {
    expect(parseIsoInstant("2025-09-27")).toEqual(Option.some(Date.UTC(2025, 8, 27)))
    expect(parseIsoInstant("2025-09-27T12:30")).toEqual(Option.some(T - 15_000))
    expect(parseIsoInstant("2025-09-27T12:30:15")).toEqual(Option.some(T))
    expect(parseIsoInstant("2025-09-27T12:30:15Z")).toEqual(Option.some(T))
    expect(parseIsoInstant("2025-09-27 12:30:15z")).toEqual(Option.some(T))
    expect(parseIsoInstant("2025-09-27T12:30:15.250Z")).toEqual(Option.some(T + 250))
    expect(parseIsoInstant("2025-09-27T12:30:15.123456Z")).toEqual(Option.some(T + 123))
  })

  it("applies zone offsets, reading a space as the '+' a query string turned into one", () => {
    expect(parseIsoInstant("2025-09-27T14:30:15+02:00")).toEqual(Option.some(T))
    expect(parseIsoInstant("2025-09-27T14:30:15 02:00")).toEqual(Option.some(T))
    expect(parseIsoInstant("2025-09-27T10:00:15-0230")).toEqual(Option.some(T))
  })

  it("refuses what is not a real ISO 8601 instant", () => {
    for (
      const text of [
        "",
        "yesterday",
        "2025-9-27",
        "2025-02-30",
        "2025-09-27T24:01",
        "2025-09-27T12:60",
        "27/09/2025",
        "2025-09-27T12:00+25:00",
        "1727440000",
        "2025-366",
        "2024-367",
        "2025-W53-1",
        "2025-W01-8",
        "2025-13",
        "2025-09-27T12:30:60",
        "2025-09-27T",
        "0001-02-29"
      ]
    ) {
      expect(parseIsoInstant(text), text).toEqual(Option.none())
    }
  })

  it("reads every ISO 8601 form of an instant (issue 18): early years, basic, ordinal and week dates, reduced precision", () => {
    const day = (y: number, m: number, d: number) => {
      const date = new Date(0)
      date.setUTCFullYear(y, m - 1, d)
      return date.getTime()
    }
    const cases: ReadonlyArray<readonly [string, number]> = [
      ["0001-01-01", day(1, 1, 1)],
      ["0099-12-31T23:59:59Z", day(99, 12, 31) + 86_399_000],
      ["20250927", Date.UTC(2025, 8, 27)],
      ["20250927T123015Z", T],
      ["20250927T1230", T - 15_000],
      ["2025-09-27T12Z", T - 30 * 60_000 - 15_000],
      ["2025-09", Date.UTC(2025, 8, 1)],
      ["2025", Date.UTC(2025, 0, 1)],
      ["2025-270", Date.UTC(2025, 8, 27)],
      ["2025270", Date.UTC(2025, 8, 27)],
      ["2024-366", Date.UTC(2024, 11, 31)],
      // 2025-W39 runs Monday 22 September to Sunday 28 September.
      ["2025-W39-6", Date.UTC(2025, 8, 27)],
      ["2025W396T12:30:15Z", T],
      ["2025-W39", Date.UTC(2025, 8, 22)],
      ["2020-W53-7", Date.UTC(2021, 0, 3)],
      ["2025-W01-1", Date.UTC(2024, 11, 30)],
      ["2025-09-27T12:30,5", T - 15_000 + 30_000],
      ["2025-09-27T12.5", T - 15_000],
      ["2025-09-27T24:00", Date.UTC(2025, 8, 28)],
      ["2025-09-27T14:30:15+02", T],
      ["2025-09-27T12:30:15-00:00", T]
    ]
    for (const [text, ms] of cases) expect(parseIsoInstant(text), text).toEqual(Option.some(ms))
  })

  it("formats whole seconds and file-name-safe stamps", () => {
    expect(formatIsoSeconds(T + 999)).toBe("2025-09-27T12:30:15Z")
    expect(formatCompactUtc(T)).toBe("20250927T123015Z")
  })
})
