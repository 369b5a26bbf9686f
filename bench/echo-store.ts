/**
 * Echo store benchmark. Builds 30 days of one scan per minute for 40 radars
 * (about 1.7 M rows) through the real batched insert path, then measures
 * `GET /echoes/` for 24 h windows through real HTTP on 127.0.0.1, and a
 * 30-day CSV export: its time and the process RSS while it streams.
 * The database lives in a temporary folder that is removed afterwards.
 */
import { HttpApi, HttpApiBuilder } from "@effect/platform"
import { ConfigProvider, Effect, Layer, Option } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { EchoesGroup } from "../src/http/echoes-api.js"
import { EchoesHttp } from "../src/http/echoes-http.js"
import { AppConfig } from "../src/layers/platform/AppConfig.js"
import { databaseLayer } from "../src/layers/platform/database.js"
import { HttpServer } from "../src/layers/platform/HttpServer.js"
import { EchoQueries } from "../src/layers/realtime/EchoQueries.js"
import { EchoStore } from "../src/layers/realtime/EchoStore.js"
import { RadarRegistry } from "../src/layers/realtime/RadarRegistry.js"
import type { EchoScan } from "../src/streams/scan-window.js"

const RADARS = 40
const DAYS = 30
const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE
/** The aggregator's default batch: one transaction per batch. */
const BATCH = 500
const QUERIES = 300

const siteCode = (i: number): string =>
  String.fromCharCode(97 + Math.floor(i / 26) % 26, 97 + (i % 26), 97 + ((i * 7) % 26))

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

const ingest = (end: number) =>
  Effect.gen(function*() {
    const store = yield* EchoStore
    const sites = Array.from({ length: RADARS }, (_, i) => siteCode(i))
    const start = end - DAYS * DAY
    let batch: Array<EchoScan> = []
    let rows = 0
    const began = performance.now()
    for (let t = start; t < end; t += MINUTE) {
      for (const [i, site] of sites.entries()) {
        const total = 10 + ((t / MINUTE + i) % 40)
        batch.push({
          site,
          channel: 0,
          timestamp: t + i * 37,
          totalEchoes: total + 0.25,
          ionosphericEchoes: total * 0.6,
          groundScatterEchoes: total * 0.4 + 0.25,
          recordCount: 16,
          beamCount: 16,
          complete: true
        })
      }
      if (batch.length >= BATCH) {
        rows += (yield* store.insertScans(batch)).length
        batch = []
      }
    }
    rows += (yield* store.insertScans(batch)).length
    const seconds = (performance.now() - began) / 1000
    console.log(
      `ingest: ${rows} scans in ${seconds.toFixed(1)} s = ${
        Math.round(rows / seconds)
      } scans/s (batches of ${BATCH}, one transaction each)`
    )
    return sites
  })

const queryWindows = (url: string, sites: ReadonlyArray<string>, end: number) =>
  Effect.promise(async () => {
    const latencies: Array<number> = []
    let points = 0
    for (let q = 0; q < QUERIES; q++) {
      const site = sites[q % sites.length]!
      const windowEnd = end - ((q * 7919) % (DAYS - 1)) * DAY
      const params = new URLSearchParams({
        site_name: site,
        start: new Date(windowEnd - DAY).toISOString(),
        end: new Date(windowEnd).toISOString()
      })
      const began = performance.now()
      const response = await fetch(`${url}/echoes/?${params}`)
      const body = await response.json() as { timestamp: Array<string> }
      latencies.push(performance.now() - began)
      points += body.timestamp.length
    }
    latencies.sort((a, b) => a - b)
    console.log(
      `GET /echoes/ 24 h window (${Math.round(points / QUERIES)} points): p50 ${
        percentile(latencies, 0.5).toFixed(2)
      } ms, p99 ${percentile(latencies, 0.99).toFixed(2)} ms over ${QUERIES} requests`
    )
  })

const exportCsv = (url: string, site: string, end: number) =>
  Effect.promise(async () => {
    const params = new URLSearchParams({
      site_name: site,
      start: new Date(end - DAYS * DAY).toISOString(),
      end: new Date(end).toISOString(),
      save: "true"
    })
    globalThis.gc?.()
    const baseline = process.memoryUsage().rss
    let peak = baseline
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 2)
    const began = performance.now()
    const response = await fetch(`${url}/echoes/?${params}`)
    let bytes = 0
    let lines = 0
    for await (const chunk of response.body!) {
      bytes += chunk.byteLength
      for (const byte of chunk) if (byte === 10) lines++
    }
    const ms = performance.now() - began
    clearInterval(sampler)
    peak = Math.max(peak, process.memoryUsage().rss)
    console.log(
      `CSV export, 30 days of one radar: ${lines - 1} rows, ${mib(bytes)} in ${ms.toFixed(0)} ms; RSS ${
        mib(baseline)
      } before, peak ${mib(peak)} (+${mib(peak - baseline)}), server and client in this process`
    )
  })

export const run = async (): Promise<void> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sdh-bench-echo-"))
  try {
    const settings = AppConfig.Default.pipe(
      Layer.provide(
        Layer.setConfigProvider(
          ConfigProvider.fromMap(new Map([["HOST", "127.0.0.1"], ["PORT", "0"], ["MAX_DAYS_STORE_ECHOES", "30"]]))
        )
      )
    )
    const file = path.join(dir, "bench.sqlite")
    // The reads as `serve` runs them: worker threads (ECHOES_QUERY_WORKERS default) with their own connections.
    const store = EchoQueries.layer({ databaseFile: Option.some(file) }).pipe(
      Layer.provideMerge(EchoStore.Default),
      Layer.provideMerge(databaseLayer(file)),
      Layer.provide(RadarRegistry.Default)
    )
    // The hub's API with the echoes group alone (same API id, so EchoesHttp implements it).
    const api = HttpApiBuilder.api(HttpApi.make("superdarn-hub").add(EchoesGroup)).pipe(Layer.provide(EchoesHttp))
    const server = HttpServer.layer(HttpApiBuilder.httpApp).pipe(
      Layer.provide(api),
      Layer.provide([HttpApiBuilder.Router.Live, HttpApiBuilder.Middleware.layer]),
      Layer.provideMerge(settings),
      Layer.provideMerge(store)
    )
    const end = Math.floor(Date.now() / MINUTE) * MINUTE
    await Effect.runPromise(
      Effect.gen(function*() {
        const sites = yield* ingest(end)
        const { url } = yield* HttpServer
        yield* queryWindows(url, sites, end)
        yield* exportCsv(url, sites[0]!, end)
      }).pipe(Effect.scoped, Effect.provide(server))
    )
    console.log(`database file: ${mib(fs.statSync(path.join(dir, "bench.sqlite")).size)}`)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
