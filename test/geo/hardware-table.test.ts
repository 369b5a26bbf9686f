import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as fs from "node:fs"
import { FovError, radarGeometry } from "../../src/geo/field-of-view.js"
import {
  HARDWARE_FIELDS,
  HardwareLineError,
  parseHardwareLine,
  parseHardwareTable,
  periodAt,
  periodIndexAt
} from "../../src/geo/hardware-table.js"
import { HDW_DIR, shippedTable } from "./fov-fixtures.js"

const HAN_LINE =
  " 10  1 19951207 00:00:00   62.320   26.610     0.0  -12.0  0.00  3.24  1  1  0.135  0.181    0.0  185.0  -2.2  100.0  10 7  75 16"

const refused = (text: string): HardwareLineError => {
  const result = parseHardwareLine("hdw.dat.test", 12, text)
  if (Either.isRight(result)) throw new Error(`accepted: ${text}`)
  return result.left
}

describe("hardware table", () => {
  it("reads every field of a 22-column line", () => {
    const period = Either.getOrThrow(parseHardwareLine("hdw.dat.han", 3, HAN_LINE))
    expect(period).toMatchObject({
      stid: 10,
      status: 1,
      validFrom: Date.UTC(1995, 11, 7),
      lat: 62.32,
      lon: 26.61,
      altitude: 0,
      boresight: -12,
      beamOffset: 0,
      beamSeparation: 3.24,
      velocitySign: 1,
      phaseSign: 1,
      tdiffA: 0.135,
      tdiffB: 0.181,
      interferometer: [0, 185, -2.2],
      rxrise: 100,
      attenuationStep: 10,
      attenuationStages: 7,
      maxRangeGates: 75,
      maxBeams: 16,
      missing: [],
      line: 3
    })
  })

  it("every shipped file reads without a problem, and periods follow their dates", () => {
    const files = fs.readdirSync(HDW_DIR).filter((name) => name.startsWith("hdw.dat."))
    expect(files.length).toBeGreaterThan(30)
    for (const file of files) {
      const table = shippedTable(file.slice("hdw.dat.".length))
      expect(table.problems.map((p) => p.message)).toEqual([])
      expect(table.periods.length).toBeGreaterThan(0)
    }
    const han = shippedTable("han")
    expect(periodAt(han, Date.UTC(1995, 0, 1))).toBeUndefined()
    expect(periodAt(han, Date.UTC(1995, 5, 1))?.tdiffA).toBe(0)
    expect(periodAt(han, Date.UTC(2018, 3, 4))?.tdiffA).toBe(0.135)
    expect(periodAt(han, Date.UTC(2019, 6, 20))?.status).toBe(-1)
    expect(periodIndexAt(han, Date.UTC(2019, 6, 19, 23, 59, 59))).toBe(1)
    expect(periodIndexAt(han, Date.UTC(2019, 6, 20))).toBe(2)
  })

  it("a period starts at its time of day, not its date", () => {
    const table = parseHardwareTable(
      "hdw.dat.x",
      [HAN_LINE, HAN_LINE.replace("19951207 00:00:00", "20080218 16:51:00").replace("3.24", "3.86")].join("\n")
    )
    expect(periodAt(table, Date.UTC(2008, 1, 18, 16, 50))?.beamSeparation).toBe(3.24)
    expect(periodAt(table, Date.UTC(2008, 1, 18, 16, 51))?.beamSeparation).toBe(3.86)
  })

  it("an older line with fewer columns keeps what it has and names what is missing", () => {
    const short = HAN_LINE.trim().split(/\s+/).slice(0, 18).join(" ")
    const period = Either.getOrThrow(parseHardwareLine("hdw.dat.old", 5, short))
    expect(period.rxrise).toBe(100)
    expect(period.maxBeams).toBeUndefined()
    expect(period.missing).toEqual(HARDWARE_FIELDS.slice(18))
    const geometry = radarGeometry(period, "hdw.dat.old")
    expect(geometry).toBeInstanceOf(FovError)
    expect((geometry as FovError).message).toBe("maximum beams is missing from hdw.dat.old line 5")
  })

  it("comments, blank lines and trailing comments are skipped", () => {
    const table = parseHardwareTable("hdw.dat.c", `# header\n\n   \n${HAN_LINE}  # note\n# EOF\n`)
    expect(table.periods.length).toBe(1)
    expect(table.periods[0]!.line).toBe(4)
    expect(table.problems).toEqual([])
  })

  const fieldsOf = (change: (fields: Array<string>) => void) => {
    const fields = HAN_LINE.trim().split(/\s+/)
    change(fields)
    return fields.join(" ")
  }

  const bad: ReadonlyArray<[string, string, string, RegExp]> = [
    ["a word for latitude", fieldsOf((f) => (f[4] = "north")), "latitude", /latitude is not a number, got "north"/],
    ["latitude out of range", fieldsOf((f) => (f[4] = "91.0")), "latitude", /between -90 and 90/],
    ["a month 13", fieldsOf((f) => (f[2] = "19951307")), "valid-from date", /not a calendar date/],
    ["a short date", fieldsOf((f) => (f[2] = "1995127")), "valid-from date", /YYYYMMDD/],
    ["a time without seconds", fieldsOf((f) => (f[3] = "00:00")), "valid-from time", /HH:MM:SS/],
    ["zero beam separation", fieldsOf((f) => (f[9] = "0")), "beam separation", /non-zero and within ±90/],
    ["fractional beam count", fieldsOf((f) => (f[21] = "16.5")), "maximum beams", /not an integer/],
    ["zero range gates", fieldsOf((f) => (f[20] = "0")), "maximum range gates", /must be positive/],
    ["negative rise time", fieldsOf((f) => (f[17] = "-5")), "receiver rise time", /must not be negative/],
    ["NaN spelled out", fieldsOf((f) => (f[7] = "NaN")), "boresight", /not a number/],
    [
      "too few fields",
      fieldsOf((f) => f.splice(7)),
      "boresight",
      /is missing \(the line has 7 fields, 10 are needed\)/
    ],
    ["too many fields", `${HAN_LINE} 99`, "line", /has 23 fields, at most 22/]
  ]
  for (const [name, text, field, message] of bad) {
    it(`refuses ${name}, naming file, line and field`, () => {
      const error = refused(text)
      expect(error.field).toBe(field)
      expect(error.message).toMatch(/^hdw\.dat\.test line 12: /)
      expect(error.message).toMatch(message)
    })
  }

  it("a malformed line is counted and the others still apply", () => {
    const table = parseHardwareTable(
      "hdw.dat.mixed",
      [HAN_LINE, fieldsOf((f) => (f[2] = "2001xx01")), HAN_LINE.replace("19951207", "20050101")].join("\n")
    )
    expect(table.periods.map((p) => p.line)).toEqual([1, 3])
    expect(table.problems.map((p) => p.message)).toEqual([
      "hdw.dat.mixed line 2: valid-from date must be YYYYMMDD, got \"2001xx01\""
    ])
  })
})
