/**
 * RST's own field-of-view output (test/fixtures/fov, see its README) and the
 * hardware tables it was computed from (data/hdw).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { parseHardwareTable } from "../../src/geo/hardware-table.js"

const ROOT = path.join(import.meta.dirname, "..", "..")
export const FOV_FIXTURES = path.join(ROOT, "test", "fixtures", "fov")
export const HDW_DIR = path.join(ROOT, "data", "hdw")

export interface FovFixtureLine {
  readonly stid: number
  readonly date: string
  readonly frang: number
  readonly rsep: number
  readonly rxrise: number
  readonly height: number
  readonly chisham: 0 | 1
  readonly center: boolean
  readonly beam: number
  readonly gate: number
  readonly lat: number
  readonly lon: number
  readonly rho: number
}

export const FOV_CASES = [
  { name: "han-2018", site: "han", gates: 75 },
  { name: "sas-2024", site: "sas", gates: 75 },
  { name: "mcm-2024", site: "mcm", gates: 75 },
  { name: "kod-hires", site: "kod", gates: 225 },
  { name: "bks-chisham", site: "bks", gates: 110 }
] as const

export const fovFixtureText = (name: string): string =>
  zlib.gunzipSync(fs.readFileSync(path.join(FOV_FIXTURES, `fov-${name}.jsonl.gz`))).toString("utf8")

export const fovFixture = (name: string): Array<FovFixtureLine> =>
  fovFixtureText(name).trim().split("\n").map((line) => JSON.parse(line) as FovFixtureLine)

export const shippedTable = (site: string) => {
  const file = `hdw.dat.${site}`
  return parseHardwareTable(file, fs.readFileSync(path.join(HDW_DIR, file), "utf8"))
}
