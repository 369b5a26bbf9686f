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
    for (const text of ["", "yesterday", "2025-9-27", "2025-02-30", "2025-09-27T24:00", "2025-09-27T12:60", "27/09/2025", "2025-09-27T12:00+25:00", "1727440000"]) {
      expect(parseIsoInstant(text), text).toEqual(Option.none())
    }
  })

  it("formats whole seconds and file-name-safe stamps", () => {
    expect(formatIsoSeconds(T + 999)).toBe("2025-09-27T12:30:15Z")
    expect(formatCompactUtc(T)).toBe("20250927T123015Z")
  })
})
