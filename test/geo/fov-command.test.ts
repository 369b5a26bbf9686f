/**
 * The built `superdarn-hub fov` command against RST's own dumps.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { builtCliMissing, spawnCli } from "../e2e/cli-process.js"
import { fovFixture, type FovFixtureLine, HDW_DIR } from "./fov-fixtures.js"

const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "sdh-fov-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

const run = (args: ReadonlyArray<string>, env?: Record<string, string>) =>
  Effect.gen(function*() {
    const cli = yield* spawnCli(["fov", ...args], { cwd: os.tmpdir(), ...(env === undefined ? {} : { env }) })
    const exit = yield* cli.exit("60 seconds")
    return { exit, stdout: cli.stdout.filter((l) => l !== ""), stderr: cli.stderr.join("\n") }
  })

const sameAsFixture = (stdout: ReadonlyArray<string>, fixture: ReadonlyArray<FovFixtureLine>) => {
  expect(stdout.length).toBe(fixture.length)
  stdout.forEach((text, i) => {
    const line = JSON.parse(text) as FovFixtureLine
    const expected = fixture[i]!
    // Exactly the fixture's fields, in its order, with the same identifying values.
    expect(Object.keys(line)).toEqual(Object.keys(expected))
    expect({ ...line, lat: 0, lon: 0, rho: 0 }).toEqual({ ...expected, lat: 0, lon: 0, rho: 0 })
    expect(Math.abs(line.lat - expected.lat)).toBeLessThan(1e-4)
    expect(Math.abs(line.lon - expected.lon)).toBeLessThan(1e-4)
    expect(Math.abs(line.rho - expected.rho)).toBeLessThan(1e-3)
  })
}

describe.skipIf(builtCliMissing !== undefined)("superdarn-hub fov", () => {
  it.scoped("Kodiak high-resolution mode by site code equals RST's dump line for line", () =>
    Effect.gen(function*() {
      const result = yield* run([
        "--site",
        "kod",
        "--date",
        "2024-06-01",
        "--frang",
        "90",
        "--rsep",
        "15",
        "--nrang",
        "225"
      ])
      expect(result.exit, result.stderr).toEqual({ code: 0, signal: null })
      sameAsFixture(result.stdout, fovFixture("kod-hires"))
    }), 90_000)

  it.scoped("Blackstone with the Chisham model by station id, gates from the table", () =>
    Effect.gen(function*() {
      const result = yield* run(["--stid", "33", "--date", "2024-06-01", "--chisham"])
      expect(result.exit, result.stderr).toEqual({ code: 0, signal: null })
      sameAsFixture(result.stdout, fovFixture("bks-chisham"))
    }), 90_000)

  it.scoped("--geojson: one anticlockwise Polygon per cell on the fixture's corners", () =>
    Effect.gen(function*() {
      const result = yield* run(["--site", "han", "--date", "2018-04-04", "--geojson"])
      expect(result.exit, result.stderr).toEqual({ code: 0, signal: null })
      expect(result.stdout.length).toBe(1)
      const collection = JSON.parse(result.stdout[0]!) as {
        type: string
        features: Array<
          {
            properties: { beam: number; gate: number }
            geometry: { type: string; coordinates: Array<Array<[number, number]>> }
          }
        >
      }
      expect(collection.type).toBe("FeatureCollection")
      expect(collection.features.length).toBe(16 * 75)
      const corners = new Map(
        fovFixture("han-2018").filter((l) => !l.center).map((l) => [`${l.beam}/${l.gate}`, l] as const)
      )
      for (const feature of collection.features) {
        const { beam, gate } = feature.properties
        expect(feature.geometry.type).toBe("Polygon")
        const ring = feature.geometry.coordinates[0]!
        expect(ring.length).toBe(5)
        expect(ring[4]).toEqual(ring[0])
        let twiceArea = 0
        for (let i = 0; i < 4; i++) twiceArea += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1]
        expect(twiceArea).toBeGreaterThan(0)
        for (const [b, g] of [[beam, gate], [beam, gate + 1], [beam + 1, gate + 1], [beam + 1, gate]] as const) {
          const expected = corners.get(`${b}/${g}`)!
          expect(ring.some(([lon, lat]) =>
            Math.abs(((lon - expected.lon + 540) % 360) - 180) < 1e-4 && Math.abs(lat - expected.lat) < 1e-4
          ))
            .toBe(true)
        }
      }
    }), 90_000)

  it.scoped(
    "HDW_DIR points at another checkout; its malformed line is reported and the rest applies",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const original = fs.readFileSync(path.join(HDW_DIR, "hdw.dat.han"), "utf8")
        // A newer period from 2018-01-01 turning the boresight, and a broken line.
        const newer =
          " 10  1 20180101 00:00:00   62.320   26.610     0.0  -20.0  0.00  3.24  1  1  0.135  0.181    0.0  185.0  -2.2  100.0  10 7  75 16"
        fs.writeFileSync(
          path.join(dir, "hdw.dat.han"),
          `${original}${newer}\n${newer.replace("20180101", "2019xx01")}\n`
        )
        const result = yield* run(["--site", "han", "--date", "2018-04-04"], { HDW_DIR: dir })
        expect(result.exit, result.stderr).toEqual({ code: 0, signal: null })
        expect(result.stderr).toMatch(/hdw\.dat\.han line \d+: valid-from date must be YYYYMMDD, got \\?"2019xx01\\?"/)
        const shipped = fovFixture("han-2018")
        // The far end of the last beam swings with the boresight by several degrees of longitude.
        expect(result.stdout.length).toBe(shipped.length)
        const last = JSON.parse(result.stdout.at(-1)!) as FovFixtureLine
        expect(Math.abs(last.lon - shipped.at(-1)!.lon)).toBeGreaterThan(5)
      }),
    90_000
  )

  const refusals: ReadonlyArray<[string, ReadonlyArray<string>, RegExp]> = [
    ["a site without a hardware table", ["--site", "xyz"], /no hardware table for "xyz"/],
    ["a path for a site", ["--site", "../etc"], /is not a 3-letter site code/],
    ["an unknown station id", ["--stid", "9999"], /--stid 9999 is not in the radar table/],
    ["both --site and --stid", ["--site", "han", "--stid", "10"], /give exactly one/],
    ["rsep 0", ["--site", "han", "--rsep", "0"], /rsep must be a positive whole number of km, got 0/],
    ["negative frang", ["--site", "han", "--frang", "-180"], /frang must be a positive whole number/],
    ["a date that is not one", ["--site", "han", "--date", "2018-02-30"], /--date must be YYYY-MM-DD/],
    ["a date before the table", ["--site", "han", "--date", "1990-01-01"], /hardware table of han starts 1995-02-22/]
  ]
  for (const [name, args, message] of refusals) {
    it.scoped(`refuses ${name} with exit code 1 and a message`, () =>
      Effect.gen(function*() {
        const result = yield* run(args)
        expect(result.exit.code).toBe(1)
        expect(result.stdout).toEqual([])
        expect(result.stderr).toMatch(message)
      }), 60_000)
  }
})
