/**
 * The fan map in Chromium on the demo: cells drawn where the API says the
 * radars' cells are, bad records skipped and counted, the draw time of a
 * full scan measured, and docs/fan-map.png saved.
 */
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Logger, LogLevel } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { Page } from "playwright-core"
import { demoServerLayer } from "../../src/cli/server-layers.js"
import { HttpServer } from "../../src/layers/platform/HttpServer.js"
import { defaultDemoRadarsOptions } from "../../src/simulate/DemoRadars.js"
import { chromiumMissing, launchChromium } from "../support/chromium.js"
import { testsNeedProgram } from "../support/required-program.js"

testsNeedProgram("bzip2", "bzip2")

// Callbacks given to the page run in Chromium; the project compiles without the DOM library, so the page's
// globals are loosely typed here (the page's own modules are type-checked by tsconfig.public.json).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any
declare const document: Loose
declare const window: Loose

const DOCS = path.resolve("docs")
const DEMO_SITES = ["cly", "inv", "kod", "pgr", "rkn", "sas"]
const BACKGROUND: ReadonlyArray<readonly [number, number, number]> = [[0x0f, 0x17, 0x20], [0x2a, 0x34, 0x42]]

const demoLayer = (dir: string) =>
  demoServerLayer({ ...defaultDemoRadarsOptions, intervalMs: 100 }).pipe(
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(
      new Map([["HOST", "127.0.0.1"], ["PORT", "0"], ["DATABASE_PATH", path.join(dir, "hub.sqlite")]])
    )))
  )

const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "sdh-fan-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

const inPage = <A>(f: () => Promise<A>) => Effect.promise(f)

interface Grid {
  readonly beams: number
  readonly gates: number
  readonly lat: ReadonlyArray<ReadonlyArray<number>>
  readonly lon: ReadonlyArray<ReadonlyArray<number>>
}

/** Cell centres from the API's corner grid: the mean of the four corners (longitudes are continuous). */
const cellCentres = (grid: Grid) => {
  const centres: Array<{ beam: number; gate: number; lat: number; lon: number }> = []
  for (let b = 0; b < grid.beams; b++) {
    for (let g = 0; g < grid.gates; g++) {
      const lat = (grid.lat[b]![g]! + grid.lat[b]![g + 1]! + grid.lat[b + 1]![g]! + grid.lat[b + 1]![g + 1]!) / 4
      const lon = (grid.lon[b]![g]! + grid.lon[b]![g + 1]! + grid.lon[b + 1]![g]! + grid.lon[b + 1]![g + 1]!) / 4
      centres.push({ beam: b, gate: g, lat, lon })
    }
  }
  return centres
}

/** The canvas pixel (RGB) at each lat/lon, through the page's own projection module. */
const pixelsAt = (page: Page, points: ReadonlyArray<{ lat: number; lon: number }>) =>
  inPage(() =>
    page.evaluate((points) => {
      const { polarProjection } = window.fanModules.projection
      const canvas = document.getElementById("fan-canvas")
      const width = canvas.clientWidth
      const ratio = canvas.width / width
      const projection = polarProjection("north", width, width)
      // A copy read once: reading the map's own canvas again and again makes Chromium warn.
      const copy = document.createElement("canvas")
      copy.width = canvas.width
      copy.height = canvas.height
      const ctx = copy.getContext("2d", { willReadFrequently: true })
      ctx.drawImage(canvas, 0, 0)
      const image = ctx.getImageData(0, 0, canvas.width, canvas.height)
      return points.map(({ lat, lon }: { lat: number; lon: number }) => {
        const [x, y] = projection.project(lat, lon)
        const px = Math.round(x * ratio)
        const py = Math.round(y * ratio)
        const i = (py * canvas.width + px) * 4
        return { x, y, rgb: [image.data[i], image.data[i + 1], image.data[i + 2]] as [number, number, number] }
      })
    }, points)
  )

const isBackground = (rgb: readonly [number, number, number]) =>
  BACKGROUND.some((bg) => bg.every((c, k) => Math.abs(c - rgb[k]!) <= 3))

describe.skipIf(chromiumMissing !== undefined)("fan map in Chromium", () => {
  it.live(
    "draws the demo's scans inside each radar's field of view; bad records are counted, never thrown",
    () =>
      Effect.gen(function*() {
        const { url } = yield* HttpServer
        const browser = yield* launchChromium
        const page = yield* inPage(() => browser.newPage({ viewport: { width: 1400, height: 1600 } }))
        const problems: Array<string> = []
        page.on("pageerror", (error) => problems.push(`page error: ${error.message}`))
        page.on("console", (message) => {
          if (message.type() === "error" || message.type() === "warning") problems.push(`console: ${message.text()}`)
        })
        yield* inPage(() => page.goto(`${url}/`, { waitUntil: "load" }))
        // The page's own modules, for the checks below. A string, as an import() in a function would be
        // rewritten by the test's bundler.
        yield* inPage(() =>
          page.evaluate(
            `Promise.all([import("/status/fan-projection.js"), import("/status/fan-map.js")])` +
              `.then(([projection, map]) => { window.fanModules = { projection, map } })`
          )
        )

        // Every demo radar has records on the map, and the land is drawn.
        yield* inPage(() =>
          page.waitForFunction(
            (sites: Array<string>) => {
              const section = document.getElementById("fan-map")
              if (section.hidden || section.dataset.land !== "loaded") return false
              const stamps = [...document.querySelectorAll("#fan-map .fan-stamps li")]
              return sites.every((site) =>
                stamps.some((li: Loose) => li.dataset.site === site && li.dataset.frang !== undefined)
              ) &&
                Number(section.dataset.cells ?? "0") > 200
            },
            DEMO_SITES,
            { timeout: 60_000 }
          )
        )
        // Let a few more beams arrive so each radar has most of a scan.
        yield* Effect.sleep("4 seconds")

        const modes = yield* inPage(() =>
          page.$$eval("#fan-map .fan-stamps li", (items: Array<Loose>) =>
            items.map((li) => ({
              site: li.dataset.site,
              frang: li.dataset.frang,
              rsep: li.dataset.rsep,
              nrang: li.dataset.nrang
            })))
        )
        const report: Record<string, { drawn: number; cells: number }> = {}
        for (const site of DEMO_SITES) {
          const mode = modes.find((m) => m.site === site)!
          const grid = (yield* Effect.promise(() =>
            fetch(`${url}/radars/${site}/fov?frang=${mode.frang}&rsep=${mode.rsep}&nrang=${mode.nrang}`).then((r) =>
              r.json()
            )
          )) as Grid
          const centres = cellCentres(grid)
          const pixels = yield* pixelsAt(page, centres)
          const drawn = pixels.filter((p) => !isBackground(p.rgb)).length
          report[site] = { drawn, cells: centres.length }
          expect(drawn, `${site}: cells coloured at the API's cell centres`).toBeGreaterThan(20)
        }

        // Outside every field of view (the demo's radars are all in the western hemisphere), between the
        // graticule's lines: nothing but sea or land.
        const outside = yield* pixelsAt(page, [{ lat: 85, lon: 45 }, { lat: 47, lon: 75 }, { lat: 55, lon: 100 }, {
          lat: 65,
          lon: 15
        }])
        for (const p of outside) {
          expect(isBackground(p.rgb), JSON.stringify(p)).toBe(true)
        }

        // Hover over a coloured cell of sas: the readout names the radar, beam and gate.
        const sasMode = modes.find((m) =>
          m.site === "sas"
        )!
        const sasGrid = (yield* Effect.promise(() =>
          fetch(`${url}/radars/sas/fov?frang=${sasMode.frang}&rsep=${sasMode.rsep}&nrang=${sasMode.nrang}`).then((r) =>
            r.json()
          )
        )) as Grid
        const sasPixels = yield* pixelsAt(page, cellCentres(sasGrid))
        const target = sasPixels.find((p) => !isBackground(p.rgb))!
        const box = (yield* inPage(() =>
          page.locator("#fan-canvas").boundingBox()
        ))!
        yield* inPage(() => page.mouse.move(box.x + target.x, box.y + target.y))
        const readout = yield* inPage(() => page.textContent("#fan-map .fan-readout"))
        expect(readout).toMatch(/^(sas|[a-z]{3}) beam \d+ gate \d+: /)

        // Full redraws timed in the page: the largest radar's scan, and the whole map.
        const timings = yield* inPage(() =>
          page.evaluate(() => {
            const section = document.getElementById("fan-map")
            const site: Array<number> = []
            const whole: Array<number> = []
            for (let i = 0; i < 30; i++) {
              section.dispatchEvent(new window.Event("fan-map-redraw"))
              const perSite = JSON.parse(section.dataset.siteDrawMs ?? "{}") as Record<string, number>
              site.push(Math.max(...Object.values(perSite)))
              whole.push(Number(section.dataset.drawMs))
            }
            site.sort((a, b) => a - b)
            whole.sort((a, b) => a - b)
            return {
              siteMedian: site[15]!,
              siteMax: site[29]!,
              wholeMedian: whole[15]!,
              cells: Number(section.dataset.cells)
            }
          })
        )
        console.log(`fan map: cells at API centres ${JSON.stringify(report)}; draw ${JSON.stringify(timings)}`)
        expect(timings.cells).toBeGreaterThan(0)

        fs.mkdirSync(DOCS, { recursive: true })
        yield* inPage(() => page.locator("#fan-map").screenshot({ path: path.join(DOCS, "fan-map.png") }))

        expect(problems.join("\n")).toBe("")

        // Bad records, fed to a second map: each skipped with its reason, none thrown. (Chromium
        // reports the 404 for the site without a hardware table on the console: that one is expected.)
        const skipped = yield* inPage(() =>
          page.evaluate(async () => {
            const { mountFanMap } = window.fanModules.map
            const section = document.createElement("section")
            document.body.append(section)
            const map = mountFanMap(section)
            const packet = (site: string, extra: Record<string, unknown>) => ({
              site,
              packet: {
                site_name: site,
                beam: 3,
                frang: 180,
                rsep: 45,
                nrang: 75,
                channel: 0,
                time_iso: "2024-06-01T00:00:00Z",
                slist: [10],
                velocity: [],
                power: [],
                width: [],
                g_scatter: [],
                ...extra
              }
            })
            map.update(packet("sas", { frang: 0 }))
            map.update(packet("sas", { rsep: -45 }))
            map.update(packet("sas", { beam: 1.5 }))
            map.update(packet("xyz", {}))
            // Once sas's grid is in, a beam past the table's 16 is refused.
            const placed = () => section.querySelector("li[data-site=sas]")?.dataset.frang !== undefined
            for (let i = 0; i < 100 && !placed(); i++) {
              map.update(packet("sas", {}))
              await new Promise((resolve) => setTimeout(resolve, 100))
            }
            map.update(packet("sas", { beam: 99 }))
            // A full scan of a 24-beam, 110-gate radar (Blackstone's table), every cell an echo: timed.
            const gates = Array.from({ length: 110 }, (_, g) => g)
            const full = (beam: number) =>
              packet("bks", {
                beam,
                nrang: 110,
                slist: gates,
                velocity: gates.map((g) => ((g * 37 + beam * 11) % 1000) - 500),
                power: gates.map((g) => g % 30),
                width: gates.map((g) => g * 2),
                g_scatter: gates.map((g) => (g % 9 === 0 ? 1 : 0))
              })
            const bksPlaced = () => section.querySelector("li[data-site=bks]")?.dataset.frang !== undefined
            for (let i = 0; i < 100 && !bksPlaced(); i++) {
              map.update(full(0))
              await new Promise((resolve) => setTimeout(resolve, 100))
            }
            for (let beam = 0; beam < 24; beam++) map.update(full(beam))
            const fullScan: Array<number> = []
            for (let i = 0; i < 30; i++) {
              section.dispatchEvent(new window.Event("fan-map-redraw"))
              fullScan.push(JSON.parse(section.dataset.siteDrawMs ?? "{}").bks)
            }
            fullScan.sort((a, b) => a - b)
            window.fanFullScan = { cells: Number(section.dataset.cells), median: fullScan[15], max: fullScan[29] }

            // Forty radars (every site with a hardware table), one record per second each, for six seconds:
            // the longest frame seen by a 50 ms timer and how late that timer runs while they arrive.
            const forty = [
              "ade",
              "adw",
              "bks",
              "bpk",
              "cly",
              "cve",
              "cvw",
              "dce",
              "dcn",
              "ekb",
              "fhe",
              "fhw",
              "fir",
              "gbr",
              "hal",
              "han",
              "hkw",
              "hok",
              "inv",
              "jme",
              "kap",
              "ker",
              "kod",
              "ksr",
              "lyr",
              "mcm",
              "pgr",
              "pyk",
              "rkn",
              "san",
              "sas",
              "sch",
              "sps",
              "sto",
              "sye",
              "sys",
              "tig",
              "unw",
              "wal",
              "zho"
            ]
            const busy = document.createElement("section")
            document.body.append(busy)
            const many = window.fanModules.map.mountFanMap(busy)
            const record = (site: string, beam: number) => ({
              ...packet(site, {}),
              packet: { ...full(beam).packet, site_name: site, nrang: 75, beam }
            })
            let lateness = 0
            let longestFrame = 0
            let expected = performance.now() + 50
            const timer = setInterval(() => {
              const now = performance.now()
              lateness = Math.max(lateness, now - expected)
              expected = now + 50
              const ms = Number(busy.dataset.drawMs ?? "0")
              longestFrame = Math.max(longestFrame, ms)
            }, 50)
            for (let second = 0; second < 6; second++) {
              forty.forEach((site, k) =>
                setTimeout(() => many.update(record(site, second % 16)), (k * 1000) / forty.length)
              )
              await new Promise((resolve) => setTimeout(resolve, 1000))
            }
            clearInterval(timer)
            window.fanForty = {
              radars: busy.querySelectorAll("li").length,
              cells: Number(busy.dataset.cells),
              lateness,
              longestFrame
            }
            await new Promise((resolve) => setTimeout(resolve, 500))
            map.update(packet("xyz", {}))
            return JSON.parse(section.dataset.skipped ?? "{}")
          })
        )
        expect(skipped, JSON.stringify(skipped)).toMatchObject({
          "frang or rsep not positive": 2,
          "malformed record": 1,
          "beam outside the hardware table": 1
        })
        expect(skipped["no hardware table"]).toBeGreaterThanOrEqual(1)
        const fullScan = yield* inPage(() => page.evaluate(() => window.fanFullScan))
        console.log(`fan map: full 24 × 110 scan ${JSON.stringify(fullScan)}`)
        expect(fullScan.cells).toBe(24 * 110)
        const forty = yield* inPage(() => page.evaluate(() => window.fanForty))
        console.log(`fan map: forty radars, a record a second each ${JSON.stringify(forty)}`)
        expect(forty.radars).toBe(40)
        expect(forty.cells).toBeGreaterThan(0)

        // South: the northern radars leave the map.
        yield* inPage(() => page.selectOption("#fan-map select[name=hemisphere]", "south"))
        yield* Effect.sleep("300 millis")
        expect(problems.filter((p) => !/status of 404/.test(p)).join("\n")).toBe("")
      }).pipe(
        Effect.provide(Layer.unwrapScoped(Effect.map(tempDir, demoLayer))),
        Effect.scoped,
        Effect.provide(Logger.minimumLogLevel(LogLevel.Warning))
      ),
    120_000
  )
})
