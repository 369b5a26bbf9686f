/**
 * The collectors on `/health` and `/metrics` through the built CLI: in the
 * hub's process (`serve --archive-config`) and alone (`archive run --port`),
 * over a local-folder source holding one settled file, beside an institution
 * whose source folder does not exist.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { bzip2, configJson, content, dataName, scopedTree, writeSourceFile } from "../archive/archive-fixture.js"
import { chromiumMissing, launchChromium } from "../support/chromium.js"
import { testsNeedProgram } from "../support/required-program.js"
import { builtCliMissing, listeningUrl, spawnCli, spawnServe } from "./cli-process.js"

testsNeedProgram("bzip2", "bzip2")

interface CollectorJson {
  readonly phase: string
  readonly last_run: null | {
    readonly outcome: string
    readonly collected: number
    readonly failed: number
    readonly started_at: string | null
  }
  readonly next_run_at: string | null
  readonly consecutive_failures: number
  readonly last_error: string | null
}

/** `/health` once `vt`'s first run has ended and `gone` has failed at least once. */
const settledHealth = (url: string) =>
  Effect.tryPromise(async () => {
    const body = await (await fetch(`${url}/health`)).json() as { collectors?: Record<string, CollectorJson> }
    const vt = body.collectors?.vt
    const gone = body.collectors?.gone
    if (vt?.last_run == null || gone?.last_error == null) throw new Error(`not settled: ${JSON.stringify(body)}`)
    return body.collectors!
  }).pipe(Effect.retry(Schedule.spaced("200 millis").pipe(Schedule.upTo("30 seconds"))))

const checkCollectors = (url: string, archiveRoot: string) =>
  Effect.gen(function*() {
    const collectors = yield* settledHealth(url)
    expect(Object.keys(collectors)).toEqual(["gone", "vt"])
    expect(collectors.vt).toMatchObject({ phase: "idle", consecutive_failures: 0, last_error: null })
    expect(collectors.vt!.last_run).toMatchObject({ outcome: "ok", collected: 1, failed: 0 })
    expect(collectors.vt!.last_run!.started_at).not.toBeNull()
    // 15 minutes after the run ended.
    expect(Date.parse(collectors.vt!.next_run_at!)).toBeGreaterThan(Date.now() + 10 * 60_000)
    // The unreachable source: retried with backoff, its error named.
    expect(collectors.gone!.phase).toBe("backing off")
    expect(collectors.gone!.last_error).toMatch(/\S/)
    expect(fs.readdirSync(archiveRoot, { recursive: true }).some((f) => String(f).endsWith(".rawacf.bz2"))).toBe(true)

    const metrics = yield* Effect.tryPromise(async () => (await fetch(`${url}/metrics`)).text())
    expect(metrics).toContain(`superdarn_hub_collector_last_run_files{institution="vt",result="collected"} 1`)
    expect(metrics).toContain(`superdarn_hub_collector_phase{institution="gone",phase="backing off"} 1`)
    for (const phase of ["idle", "listing", "fetching", "tidying"]) {
      expect(metrics).toContain(`superdarn_hub_collector_phase{institution="gone",phase="${phase}"} 0`)
    }
    expect(metrics).toContain(`superdarn_hub_collector_consecutive_failures{institution="vt"} 0`)
  })

const plantedConfig = Effect.gen(function*() {
  const tree = yield* scopedTree
  writeSourceFile(tree.source, dataName("bks", "rawacf"), bzip2(content("collectors-health")))
  const json = configJson(tree, {}, { journal: tree.journal })
  const institutions = json.institutions as Array<Record<string, unknown>>
  institutions.push({
    ...institutions[0],
    id: "gone",
    name: "No such folder",
    source: { kind: "local", path: path.join(tree.root, "no-such-folder") }
  })
  const configPath = path.join(tree.root, "archive.config.json")
  fs.writeFileSync(configPath, JSON.stringify(json))
  return { tree, configPath }
})

describe.skipIf(builtCliMissing !== undefined || chromiumMissing !== undefined)("collectors on the status page", () => {
  it.scopedLive("a row per institution with its phase", () =>
    Effect.gen(function*() {
      const { configPath, tree } = yield* plantedConfig
      const serve = yield* spawnServe(tree.root, ["--archive-config", configPath])
      const url = yield* listeningUrl(serve)
      yield* settledHealth(url)
      const browser = yield* launchChromium
      const rows = yield* Effect.tryPromise(async () => {
        const page = await browser.newPage()
        await page.goto(`${url}/`, { waitUntil: "load" })
        await page.waitForSelector("#collectors:not([hidden]) tbody tr", { timeout: 15_000 })
        return page.locator("#collectors tbody tr").allInnerTexts()
      })
      expect(rows).toHaveLength(2)
      expect(rows[0]).toMatch(/^gone\s+backing off/)
      expect(rows[1]).toMatch(/^vt\s+idle\s.*\sok\s+1\s/)
    }), 90_000)
})

if (chromiumMissing !== undefined) {
  describe("collectors on the status page", () => {
    it.skip(`skipped: ${chromiumMissing}`, () => {})
  })
}

describe.skipIf(builtCliMissing !== undefined)("collectors on /health and /metrics", () => {
  it.scopedLive("serve --archive-config: the hub's /health gains collectors", () =>
    Effect.gen(function*() {
      const { configPath, tree } = yield* plantedConfig
      const serve = yield* spawnServe(tree.root, ["--archive-config", configPath])
      yield* checkCollectors(yield* listeningUrl(serve), tree.archiveRoot)
      yield* serve.signal("SIGTERM")
      expect((yield* serve.exit("20 seconds")).code).toBe(0)
    }), 90_000)

  it.scopedLive("serve without an archive config: no collectors in /health", () =>
    Effect.gen(function*() {
      const { tree } = yield* plantedConfig
      fs.writeFileSync(
        path.join(tree.root, "radars.config.json"),
        JSON.stringify({ sas: { host: "127.0.0.1", port: 1 } })
      )
      const serve = yield* spawnCli(
        ["serve", "--host", "127.0.0.1", "--port", "0", "--database-path", path.join(tree.root, "hub.sqlite")],
        { cwd: tree.root }
      )
      const url = yield* listeningUrl(serve)
      const body = yield* Effect.tryPromise(async () => (await fetch(`${url}/health`)).json() as Promise<object>)
      expect(body).toHaveProperty("radars")
      expect(body).not.toHaveProperty("collectors")
    }), 60_000)

  it.scopedLive("archive run --port: a collector alone serves /health and /metrics", () =>
    Effect.gen(function*() {
      const { configPath, tree } = yield* plantedConfig
      const run = yield* spawnCli(["archive", "run", "--config", configPath, "--port", "0"], {
        cwd: tree.root,
        env: { HOST: "127.0.0.1" }
      })
      const url = yield* listeningUrl(run)
      yield* checkCollectors(url, tree.archiveRoot)
      const body = yield* Effect.tryPromise(async () => (await fetch(`${url}/health`)).json() as Promise<object>)
      expect(body).toMatchObject({ status: "ok" })
    }), 90_000)
})
