/**
 * Echo store benchmark. Builds 30 days of one scan per minute for 40 radars
 * (about 1.7 M rows) through the real batched insert path, then measures
 * `GET /echoes/` for 24 h windows through real HTTP on 127.0.0.1 from a
 * client child process (rounds of sequential requests: p50, p99, the
 * server's and the client's CPU per request, the load average; their
 * medians), and a 30-day CSV export: its time and the process RSS while it
 * streams.
 * The database lives in a temporary folder that is removed afterwards.
 */
import { HttpApi, HttpApiBuilder } from "@effect/platform"
import { ConfigProvider, Effect, Layer, Option } from "effect"
import { type ChildProcess, fork } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { EchoesGroup } from "../src/http/echoes-api.js"
import { EchoesHttp } from "../src/http/echoes-http.js"
import { AppConfig } from "../src/layers/platform/AppConfig.js"
import { databaseLayer } from "../src/layers/platform/database.js"
import { HttpServer } from "../src/layers/platform/HttpServer.js"
import { EchoQueries } from "../src/layers/realtime/EchoQueries.js"
import { EchoStore } from "../src/layers/realtime/EchoStore.js"
import { RadarRegistry } from "../src/layers/realtime/RadarRegistry.js"
import type { EchoScan } from "../src/streams/scan-window.js"
import type { EchoClientCommand, EchoClientMessage } from "./echo-store/client.js"
import { loadAverage, mainThreadCpuMs } from "./machine.js"

const RADARS = 40
const DAYS = 30
const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE
/** The aggregator's default batch: one transaction per batch. */
const BATCH = 500
const QUERIES = 300
const ROUNDS = 3

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
      } scans/s (batches of ${BATCH}, one statement each); load average ${loadAverage()}`
    )
    return sites
  })

const median = (values: ReadonlyArray<number>): number => [...values].sort((a, b) => a - b)[values.length >> 1]!

const windowPath = (site: string, windowEnd: number): string =>
  `/echoes/?${new URLSearchParams({
    site_name: site,
    start: new Date(windowEnd - DAY).toISOString(),
    end: new Date(windowEnd).toISOString()
  })}`

const startClient = (): ChildProcess =>
  fork(fileURLToPath(new URL("./echo-store/client.js", import.meta.url)), [], {
    stdio: ["ignore", "inherit", "inherit", "ipc"]
  })

/** One round of the client child: the paths in order; this process's CPU (the server's) measured around it. */
const clientRound = (client: ChildProcess, url: string, paths: ReadonlyArray<string>) =>
  new Promise<EchoClientMessage & { readonly serverCpuMs: number; readonly serverMainMs: number | undefined }>(
    (resolve) => {
      const cpu = process.cpuUsage()
      const mainBefore = mainThreadCpuMs()
      client.once("message", (message: EchoClientMessage) => {
        const used = process.cpuUsage(cpu)
        const mainAfter = mainThreadCpuMs()
        resolve({
          ...message,
          serverCpuMs: (used.user + used.system) / 1000,
          serverMainMs: mainBefore === undefined || mainAfter === undefined ? undefined : mainAfter - mainBefore
        })
      })
      client.send({ type: "round", url, paths } satisfies EchoClientCommand)
    }
  )

/** One request per site first: each worker opens its connection and prepares its statement, each site is checked once. */
const warmUp = async (client: ChildProcess, url: string, sites: ReadonlyArray<string>, end: number) => {
  const round = await clientRound(client, url, sites.map((site) => windowPath(site, end)))
  const latencies = [...round.latenciesMs].sort((a, b) => a - b)
  console.log(
    `first request of each site (warm-up, not counted below): p50 ${percentile(latencies, 0.5).toFixed(2)} ms, max ${
      latencies[latencies.length - 1]!.toFixed(2)
    } ms`
  )
}

/**
 * Sequential 24 h windows over one keep-alive HTTP connection from the
 * client child. CPU per request: the server's (this process: the main
 * thread's HTTP and routing, the query workers, V8's helpers), of it the
 * main thread's, and the client's.
 */
const queryRound = async (
  client: ChildProcess,
  url: string,
  sites: ReadonlyArray<string>,
  end: number,
  round: number
) => {
  const loadBefore = loadAverage()
  const paths = Array.from(
    { length: QUERIES },
    (_, q) => windowPath(sites[q % sites.length]!, end - (((q + round * QUERIES) * 7919) % (DAYS - 1)) * DAY)
  )
  const answer = await clientRound(client, url, paths)
  const latencies = [...answer.latenciesMs].sort((a, b) => a - b)
  const result = {
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    serverMs: answer.serverCpuMs / QUERIES,
    mainMs: answer.serverMainMs === undefined ? undefined : answer.serverMainMs / QUERIES,
    clientMs: answer.cpuMs / QUERIES
  }
  console.log(
    `  round ${round + 1}: ${Math.round(answer.points / QUERIES)} points a window${
      answer.failures === 0 ? "" : `, ${answer.failures} not 200`
    }; p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms; server CPU ${
      result.serverMs.toFixed(2)
    } ms a request${result.mainMs === undefined ? "" : ` (main thread ${result.mainMs.toFixed(2)})`}, client ${
      result.clientMs.toFixed(2)
    }; load average ${loadBefore} → ${loadAverage()}`
  )
  return result
}

const queryWindows = (url: string, sites: ReadonlyArray<string>, end: number) =>
  Effect.acquireUseRelease(
    Effect.sync(startClient),
    (client) =>
      Effect.promise(async () => {
        await warmUp(client, url, sites, end)
        console.log(`GET /echoes/ 24 h windows, ${ROUNDS} rounds of ${QUERIES} sequential requests:`)
        const rounds = []
        for (let round = 0; round < ROUNDS; round++) rounds.push(await queryRound(client, url, sites, end, round))
        const mains = rounds.flatMap((r) => r.mainMs === undefined ? [] : [r.mainMs])
        console.log(
          `GET /echoes/ 24 h window, median of ${ROUNDS} rounds: p50 ${
            median(rounds.map((r) => r.p50)).toFixed(2)
          } ms, p99 ${median(rounds.map((r) => r.p99)).toFixed(2)} ms, server CPU ${
            median(rounds.map((r) => r.serverMs)).toFixed(2)
          } ms a request${
            mains.length === 0 ? "" : ` (main thread ${median(mains).toFixed(2)})`
          } (target: p50 ≤ 3 ms, p99 ≤ 10 ms)`
        )
      }),
    (client) => Effect.sync(() => client.kill())
  )

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
