/**
 * Benchmark child for echoes-flood: the server exactly as `serve` composes
 * it (cli/server-layers.ts), its radars the simulated ones whose ports come
 * as JSON in argv[2], its database the file in argv[3]. Reports its port,
 * then on request its peak RSS (sampled every 20 ms) and CPU time.
 */
import { ConfigProvider, Duration, Effect, Layer, Logger, LogLevel } from "effect"
import { defaultBackoffPolicy } from "../../src/actors/radar/radar-backoff.js"
import { RadarFleet } from "../../src/actors/radar/RadarFleet.js"
import { serverLayer } from "../../src/cli/server-layers.js"
import { HttpServer } from "../../src/layers/platform/HttpServer.js"
import { mainThreadCpuMs } from "../machine.js"

const radars = JSON.parse(process.argv[2] ?? "[]") as ReadonlyArray<{ site: string; port: number }>
const databasePath = process.argv[3]!

export type FloodServerMessage =
  | { readonly type: "ready"; readonly port: number }
  | {
    readonly type: "stats"
    readonly peakRssBytes: number
    readonly rssBytes: number
    readonly cpuMs: number
    /** The main thread's share of cpuMs (Linux /proc); undefined elsewhere. */
    readonly mainCpuMs: number | undefined
  }

const send = (message: FloodServerMessage) => process.send?.(message)

let peak = process.memoryUsage.rss()
setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss())
}, 20).unref()

const fleet = RadarFleet.fromPlan({
  tcp: radars.map(({ port, site }) => ({
    site,
    host: "127.0.0.1",
    port,
    maxFrameBytes: 4 * 1024 * 1024,
    stall: Duration.seconds(120),
    backoff: defaultBackoffPolicy
  })),
  canada: undefined
})

const config = ConfigProvider.fromMap(
  new Map([["HOST", "127.0.0.1"], ["PORT", "0"], ["DATABASE_PATH", databasePath], ["MAX_DAYS_STORE_ECHOES", "30"]])
)

Effect.gen(function*() {
  const { url } = yield* HttpServer
  send({ type: "ready", port: Number(new URL(url).port) })
  process.on("message", (message: { readonly type: string }) => {
    if (message.type === "stats") {
      const cpu = process.cpuUsage()
      send({
        type: "stats",
        peakRssBytes: Math.max(peak, process.memoryUsage.rss()),
        rssBytes: process.memoryUsage.rss(),
        cpuMs: (cpu.user + cpu.system) / 1000,
        mainCpuMs: mainThreadCpuMs()
      })
    }
  })
  yield* Effect.never
}).pipe(
  Effect.provide(serverLayer(fleet).pipe(Layer.provide(Logger.minimumLogLevel(LogLevel.Warning)))),
  Effect.withConfigProvider(config),
  Effect.scoped,
  Effect.runFork
)
