import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Logger, LogLevel } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { Page } from "playwright-core"
import { demoServerLayer } from "../../src/cli/server-layers.js"
import { ApiDocsRoutes } from "../../src/http/api-docs-routes.js"
import { HttpServer } from "../../src/layers/platform/HttpServer.js"
import { defaultDemoRadarsOptions } from "../../src/simulate/DemoRadars.js"
import { httpServerLayer } from "../realtime/live/server-layers.js"
import { chromiumMissing, launchChromium } from "../support/chromium.js"
import { testsNeedProgram } from "../support/required-program.js"

// The callbacks given to the page run in Chromium; the project compiles
// without the DOM library, so declare the little of it they use.
interface PageElement {
  readonly textContent: string | null
  readonly dataset: Record<string, string | undefined>
  querySelector(selector: string): PageElement | null
}
declare const document: {
  querySelectorAll(selector: string): Iterable<PageElement> & ArrayLike<PageElement>
  getElementById(id: string): PageElement | null
}

const ARTIFACTS = path.resolve("test/artifacts")
const DEMO_SITES = ["cly", "inv", "kod", "pgr", "rkn", "sas"]

/** The demo, in this process, on an ephemeral port with its database in a temporary folder. */
const demoLayer = (dir: string) =>
  demoServerLayer({ ...defaultDemoRadarsOptions, intervalMs: 250 }).pipe(
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(
      new Map([
        ["HOST", "127.0.0.1"],
        ["PORT", "0"],
        ["DATABASE_PATH", path.join(dir, "hub.sqlite")]
      ])
    )))
  )

const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "sdh-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

const inPage = <A>(f: () => Promise<A>) => Effect.promise(f)

/** The table as the reader sees it: site → column texts. */
const readTable = (page: Page) =>
  inPage(() =>
    page.$$eval(
      "#radar-rows tr",
      (elements) =>
        Object.fromEntries((elements as unknown as Array<PageElement>).map((row) => [
          row.dataset.site!,
          {
            state: row.querySelector(".badge")?.textContent ?? "",
            age: row.querySelector(".age")?.textContent ?? "",
            rate: row.querySelector(".rate")?.textContent ?? "",
            freq: row.querySelector(".freq")?.textContent ?? "",
            cp: row.querySelector(".cp")?.textContent ?? "",
            beam: row.querySelector(".beam")?.textContent ?? "",
            scans: Number(row.querySelector(".spark")?.dataset.scans ?? "0")
          }
        ]))
    )
  )

const rtiRecords = (page: Page) =>
  inPage(() => page.textContent("#rti-caption")).pipe(
    Effect.map((caption) => Number(/(\d+) records?/.exec(caption ?? "")?.[1] ?? "0"))
  )

describe.skipIf(chromiumMissing !== undefined)("status page in Chromium", () => {
  testsNeedProgram("bzip2", "bzip2")

  it.live(
    "shows the demo's radars live: rows, changing values, echo charts and the range-time plot",
    () =>
      Effect.gen(function*() {
        const { url } = yield* HttpServer
        const browser = yield* launchChromium
        const page = yield* inPage(() => browser.newPage({ viewport: { width: 1400, height: 1050 } }))
        const problems: Array<string> = []
        page.on("pageerror", (error) => problems.push(`page error: ${error.message}`))
        page.on("console", (message) => {
          if (message.type() === "error" || message.type() === "warning") problems.push(`console: ${message.text()}`)
        })
        page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`))

        yield* inPage(() => page.goto(`${url}/`, { waitUntil: "load" }))

        // Live rows: every demo radar receiving, with the fields of its packets. A
        // radar's state can turn "receiving" a moment before its first packet is
        // drawn, so wait for both.
        yield* inPage(() =>
          page.waitForFunction(
            (n) =>
              document.querySelectorAll(".badge[data-state=receiving]").length >= n &&
              Array.from(document.querySelectorAll("td.freq")).filter((cell) => /\d/.test(cell.textContent ?? ""))
                  .length >= n,
            DEMO_SITES.length,
            { timeout: 20_000 }
          )
        )
        const first = yield* readTable(page)
        expect(Object.keys(first).sort()).toEqual(DEMO_SITES)
        for (const site of DEMO_SITES) {
          expect(first[site]!.freq, site).toMatch(/^\d{1,2},\d{3}$/)
          expect(first[site]!.cp, site).toMatch(/^[a-z_]+\(-?\d+\)$/)
          expect(first[site]!.beam, site).toMatch(/^\d+( · ch \d)?$/)
        }
        expect(yield* inPage(() => page.textContent("#connection"))).toMatch(/^live · (websocket|polling)$/)
        const recordsBefore = yield* rtiRecords(page)

        // Values change as records arrive.
        yield* inPage(() =>
          page.waitForFunction(
            (before) => {
              const beams = [...document.querySelectorAll("#radar-rows .beam")].map((cell) => cell.textContent)
              return beams.join("|") !== before
            },
            DEMO_SITES.map((site) => first[site]!.beam).join("|"),
            { timeout: 10_000 }
          )
        )
        yield* inPage(() =>
          page.waitForFunction(
            (before) =>
              Number(/(\d+) records?/.exec(document.getElementById("rti-caption")?.textContent ?? "")?.[1]) > before,
            recordsBefore,
            { timeout: 10_000 }
          )
        )

        // A scan closes: its echo count reaches the chart of its radar, live.
        yield* inPage(() =>
          page.waitForFunction(
            () => [...document.querySelectorAll("#radar-rows .spark")].some((c) => Number(c.dataset.scans) > 0),
            undefined,
            { timeout: 25_000 }
          )
        )
        // Records per minute, once the page has watched long enough to say.
        yield* inPage(() =>
          page.waitForFunction(
            () => [...document.querySelectorAll("#radar-rows .rate")].every((c) => Number(c.textContent) > 0),
            undefined,
            { timeout: 15_000 }
          )
        )
        // Transmitter status of each radar's latest record (operations.js), and the alerts list from GET /alerts.
        yield* inPage(() =>
          page.waitForFunction(
            (n) =>
              [...document.querySelectorAll("#transmitters tbody tr")].filter((row) =>
                /^\d{1,2},\d{3}$/.test(row.querySelector("td:nth-child(6)")?.textContent ?? "")
              ).length >= n,
            DEMO_SITES.length,
            { timeout: 10_000 }
          )
        )
        const transmitterSites = yield* inPage(() =>
          page.$$eval("#transmitters tbody tr .code", (cells) => cells.map((cell) => cell.textContent))
        )
        expect([...transmitterSites].sort()).toEqual(DEMO_SITES)
        expect(yield* inPage(() => page.textContent("#transmitters tbody tr td:nth-child(2)"))).toMatch(/^(ok|0x)/)
        expect(yield* inPage(() => page.isVisible("#operations h3"))).toBe(true)

        const later = yield* readTable(page)
        for (const site of DEMO_SITES) expect(later[site]!.age, site).toMatch(/^\d+ s$/)

        // Selecting a radar and the velocity view.
        yield* inPage(() => page.click("#radar-rows tr[data-site=kod] button.site"))
        yield* inPage(() => page.check("input[name=quantity][value=velocity]"))
        yield* inPage(() =>
          page.waitForFunction(() =>
            /^kod .*velocity \(m\/s\)/.test(document.getElementById("rti-caption")?.textContent ?? "")
          )
        )
        expect(yield* inPage(() => page.getAttribute("#radar-rows tr[data-site=kod] button.site", "aria-pressed")))
          .toBe("true")
        fs.mkdirSync(ARTIFACTS, { recursive: true })
        yield* inPage(() =>
          page.locator("#detail").screenshot({ path: path.join(ARTIFACTS, "status-page-velocity.png") })
        )
        yield* inPage(() => page.check("input[name=quantity][value=power]"))
        yield* inPage(() =>
          page.waitForFunction(() => /power \(dB\)/.test(document.getElementById("rti-caption")?.textContent ?? ""))
        )

        yield* inPage(() => page.screenshot({ path: path.join(ARTIFACTS, "status-page.png"), fullPage: true }))
        expect(problems).toEqual([])

        // The composed server publishes its API document and the page that reads it.
        const apiDocument = yield* inPage(() =>
          fetch(`${url}/openapi.json`).then((r) => r.json() as Promise<{ paths: object }>)
        )
        expect(Object.keys(apiDocument.paths)).toEqual(
          expect.arrayContaining(["/radars", "/echoes/", "/health", "/metrics", "/alerts"])
        )
        expect((yield* inPage(() => fetch(`${url}/docs`))).status).toBe(200)
      }).pipe(
        Effect.provide(Layer.unwrapScoped(Effect.map(tempDir, demoLayer))),
        Effect.scoped,
        Effect.provide(Logger.minimumLogLevel(LogLevel.Warning))
      ),
    60_000
  )
})

describe.skipIf(chromiumMissing !== undefined)("API page in Chromium", () => {
  it.live(
    "renders /docs from /openapi.json: every endpoint with its parameters and answers, nothing from elsewhere",
    () =>
      Effect.gen(function*() {
        const { url } = yield* HttpServer
        const browser = yield* launchChromium
        const page = yield* inPage(() => browser.newPage({ viewport: { width: 1200, height: 900 } }))
        const problems: Array<string> = []
        const foreign: Array<string> = []
        page.on("pageerror", (error) => problems.push(`page error: ${error.message}`))
        page.on("console", (message) => {
          if (message.type() === "error" || message.type() === "warning") problems.push(`console: ${message.text()}`)
        })
        page.on("request", (request) => {
          if (!request.url().startsWith(url)) foreign.push(request.url())
        })

        yield* inPage(() => page.goto(`${url}/docs`, { waitUntil: "load" }))
        yield* inPage(() => page.waitForSelector("#api[aria-busy=false]", { timeout: 10_000 }))
        const titles = yield* inPage(() =>
          page.$$eval(
            "article.endpoint h3",
            (elements) => (elements as unknown as Array<PageElement>).map((element) => element.textContent ?? "")
          )
        )
        expect(titles).toEqual(expect.arrayContaining(["get/radars", "get/echoes/", "get/health", "get/metrics"]))
        const echoes = yield* inPage(() => page.textContent("#echoes\\.series"))
        expect(echoes).toContain("site_name")
        expect(echoes).toContain("text/csv")
        expect(echoes).toContain("503")
        expect(yield* inPage(() => page.textContent("#title"))).toMatch(/^superdarn-hub \d+\.\d+\.\d+/)
        fs.mkdirSync(ARTIFACTS, { recursive: true })
        yield* inPage(() => page.screenshot({ path: path.join(ARTIFACTS, "api-docs.png"), fullPage: true }))
        expect(problems).toEqual([])
        expect(foreign).toEqual([])
      }).pipe(
        Effect.provide(httpServerLayer(ApiDocsRoutes)),
        Effect.scoped,
        Effect.provide(Logger.minimumLogLevel(LogLevel.Warning))
      ),
    60_000
  )
})

if (chromiumMissing !== undefined) {
  describe("status page in Chromium", () => {
    it.skip(`skipped: ${chromiumMissing}`, () => {})
  })
}
