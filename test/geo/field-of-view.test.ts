import { describe, expect, it } from "@effect/vitest"
import {
  cellPosition,
  FovError,
  fovGrid,
  type FovParameters,
  type RadarGeometry,
  radarGeometry,
  virtualHeight
} from "../../src/geo/field-of-view.js"
import { periodAt } from "../../src/geo/hardware-table.js"
import { FOV_CASES, fovFixture, shippedTable } from "./fov-fixtures.js"

const TOLERANCE_DEG = 1e-4

const geometryOn = (site: string, date: string): RadarGeometry => {
  const table = shippedTable(site)
  const period = periodAt(table, Date.parse(`${date}T00:00:00Z`))
  if (period === undefined) throw new Error(`no ${site} period on ${date}`)
  const radar = radarGeometry(period, table.file)
  if (radar instanceof FovError) throw radar
  return radar
}

const lonDifference = (a: number, b: number) => {
  const d = Math.abs(a - b) % 360
  return d > 180 ? 360 - d : d
}

describe("field of view equals RST's RPosGeo", () => {
  for (const fixture of FOV_CASES) {
    it(`${fixture.name}: every corner and centre within 1e-4°`, () => {
      const lines = fovFixture(fixture.name)
      const first = lines[0]!
      const radar = geometryOn(fixture.site, first.date)
      const params: FovParameters = {
        frang: first.frang,
        rsep: first.rsep,
        rxrise: first.rxrise,
        height: first.height,
        model: first.chisham === 1 ? "chisham" : "standard"
      }
      const corners = fovGrid(radar, params, fixture.gates, false)
      const centres = fovGrid(radar, params, fixture.gates, true)
      if (corners instanceof FovError || centres instanceof FovError) throw new Error("grid refused")
      // The fixture is exactly the corner grid then the centres, so the counts must agree too.
      expect(lines.length).toBe(corners.lat.length + centres.lat.length)
      let worst = 0
      for (const line of lines) {
        const grid = line.center ? centres : corners
        expect(line.beam).toBeLessThan(grid.beams)
        expect(line.gate).toBeLessThan(grid.gates)
        const i = line.beam * grid.gates + line.gate
        worst = Math.max(worst, Math.abs(grid.lat[i]! - line.lat), lonDifference(grid.lon[i]!, line.lon))
        expect(Math.abs(grid.rho[i]! - line.rho)).toBeLessThan(1e-3)
      }
      expect(worst).toBeLessThan(TOLERANCE_DEG)
    })
  }

  it("a single cell agrees with the grid", () => {
    const radar = geometryOn("han", "2018-04-04")
    const params: FovParameters = { frang: 180, rsep: 45, rxrise: 0, height: 300, model: "standard" }
    const grid = fovGrid(radar, params, 75, true)
    if (grid instanceof FovError) throw grid
    const cell = cellPosition(radar, params, true, 7, 30)
    expect(cell.lat).toBe(grid.lat[7 * 75 + 30])
    expect(cell.lon).toBe(grid.lon[7 * 75 + 30])
  })

  it("a record's own rise time moves the cells (0 takes the table's)", () => {
    const radar = geometryOn("han", "2018-04-04")
    const table = cellPosition(radar, { frang: 180, rsep: 45, rxrise: 0, height: 300, model: "standard" }, true, 0, 40)
    const same = cellPosition(radar, { frang: 180, rsep: 45, rxrise: 100, height: 300, model: "standard" }, true, 0, 40)
    const other = cellPosition(
      radar,
      { frang: 180, rsep: 45, rxrise: 300, height: 300, model: "standard" },
      true,
      0,
      40
    )
    expect(same).toEqual(table)
    expect(other.lat).not.toBeCloseTo(table.lat, 3)
  })
})

describe("virtual height", () => {
  it("standard model: E region near, ramp 600-800 km, fh beyond, linear below 150 km", () => {
    expect(virtualHeight("standard", 300, 75)).toBeCloseTo(57.5, 9)
    expect(virtualHeight("standard", 300, 500)).toBe(115)
    expect(virtualHeight("standard", 300, 700)).toBeCloseTo(207.5, 9)
    expect(virtualHeight("standard", 300, 1200)).toBe(300)
    expect(virtualHeight("standard", 120, 1200)).toBe(120)
  })

  it("Chisham model: three fits, linear below 115 km", () => {
    expect(virtualHeight("chisham", 300, 57.5)).toBeCloseTo(56, 9)
    expect(virtualHeight("chisham", 300, 500)).toBeCloseTo(108.974 + 0.0191271 * 500 + 6.68283e-5 * 500 * 500, 9)
    expect(virtualHeight("chisham", 300, 2137.5)).toBeCloseTo(384.416 - 0.178640 * 2137.5 + 1.81405e-4 * 2137.5 ** 2, 9)
    expect(virtualHeight("chisham", 300, 3000)).toBeCloseTo(1098.28 - 0.354557 * 3000 + 9.39961e-5 * 3000 ** 2, 9)
  })
})

describe("bad parameters are refused, never NaN", () => {
  const radar = geometryOn("han", "2018-04-04")
  const good: FovParameters = { frang: 180, rsep: 45, rxrise: 0, height: 300, model: "standard" }
  const cases: ReadonlyArray<[string, Partial<FovParameters>, number, string]> = [
    ["frang 0", { frang: 0 }, 75, "frang"],
    ["negative frang", { frang: -180 }, 75, "frang"],
    ["rsep 0", { rsep: 0 }, 75, "rsep"],
    ["fractional rsep", { rsep: 44.5 }, 75, "rsep"],
    ["negative rxrise", { rxrise: -1 }, 75, "rxrise"],
    ["height as elevation", { height: 20 }, 75, "height"],
    ["NaN height", { height: Number.NaN }, 75, "height"],
    ["no gates", {}, 0, "nrang"]
  ]
  for (const [name, change, nrang, field] of cases) {
    it(name, () => {
      const result = fovGrid(radar, { ...good, ...change }, nrang, false)
      expect(result).toBeInstanceOf(FovError)
      expect((result as FovError).field).toBe(field)
    })
  }

  it("rxrise 0 with a table that has none", () => {
    const result = fovGrid({ ...radar, rxrise: undefined }, good, 75, false)
    expect(result).toBeInstanceOf(FovError)
    expect((result as FovError).message).toMatch(/hardware table has none/)
  })
})
