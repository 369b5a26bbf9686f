/**
 * Benchmark child: the hub as `serve` composes it (HTTP + Socket.IO, hub,
 * live feed, radar actors, pump), connected to the simulated radars whose
 * ports it gets as JSON in argv[2] (settings such as HISTORY_MINUTES as JSON
 * in argv[3]). Reports its CPU time, RSS, counters and history size.
 */
import { HttpServerResponse } from "@effect/platform"
import { ConfigProvider, Duration, Effect, Layer, Logger, LogLevel, Metric, MetricState } from "effect"
import { HubPump } from "../../src/actors/radar/HubPump.js"
import { defaultBackoffPolicy } from "../../src/actors/radar/radar-backoff.js"
import { RadarFleet } from "../../src/actors/radar/RadarFleet.js"
import { AppConfig } from "../../src/layers/platform/AppConfig.js"
import { HttpServer } from "../../src/layers/platform/HttpServer.js"
import { History } from "../../src/layers/realtime/History.js"
import { Hub } from "../../src/layers/realtime/Hub.js"
import { LIVE_FEED_CONSUMER, LiveFeed } from "../../src/layers/realtime/LiveFeed.js"
import { RadarRegistry } from "../../src/layers/realtime/RadarRegistry.js"
import { startProfile, stopProfile } from "./profile.js"
import type { ServerCommand, ServerMessage } from "./protocol.js"

const radars = JSON.parse(process.argv[2] ?? "[]") as ReadonlyArray<{ site: string; port: number }>
const extraSettings = JSON.parse(process.argv[3] ?? "{}") as Record<string, string>

const configProvider = Layer.setConfigProvider(
  ConfigProvider.fromMap(new Map(Object.entries({ HOST: "127.0.0.1", PORT: "0", ...extraSettings })))
)
const settings = AppConfig.Default.pipe(Layer.provide(configProvider))

const layer = HubPump.Default.pipe(
  Layer.provide(RadarFleet.fromPlan({
    tcp: radars.map(({ port, site }) => ({
      site,
      host: "127.0.0.1",
      port,
      maxFrameBytes: 4 * 1024 * 1024,
      stall: Duration.seconds(120),
      backoff: defaultBackoffPolicy
    })),
    canada: undefined
  })),
  Layer.provideMerge(LiveFeed.Default),
  Layer.provideMerge(Layer.mergeAll(Hub.Default, RadarRegistry.Default)),
  Layer.provideMerge(
    HttpServer.layer(Effect.succeed(HttpServerResponse.empty({ status: 404 }))).pipe(Layer.provide(settings))
  ),
  Layer.provide(Logger.minimumLogLevel(LogLevel.Warning)),
  Layer.provide(configProvider)
)

/** RSS after a full collection when the process runs with --expose-gc: the memory actually held. */
const settledRss = (): number => {
  ;(globalThis as { gc?: () => void }).gc?.()
  return process.memoryUsage.rss()
}

const send = (message: ServerMessage) => process.send?.(message)

const counterTotal = (name: string) =>
  Effect.map(Metric.snapshot, (pairs) =>
    pairs.reduce(
      (sum, pair) =>
        pair.metricKey.name === name && MetricState.isCounterState(pair.metricState)
          ? sum + Number(pair.metricState.count)
          : sum,
      0
    ))
const droppedTotal = counterTotal("superdarn_hub_packets_dropped_total")
const writesTotal = counterTotal("superdarn_hub_client_writes_total")

/** Cumulative counts per upper bound (seconds) of the server's radar-to-broadcast latency histogram. */
const emitLatency = Effect.map(Metric.snapshot, (pairs) => {
  const pair = pairs.find((p) => p.metricKey.name === "superdarn_hub_radar_to_emit_latency_seconds")
  return pair !== undefined && MetricState.isHistogramState(pair.metricState) ? pair.metricState.buckets : []
})

/** The upper bound (ms) of the bucket reaching quantile `q`, over the counts since `mark`. */
const quantileBound = (
  now: ReadonlyArray<readonly [number, number]>,
  mark: ReadonlyArray<readonly [number, number]>,
  q: number
): number => {
  const at = (i: number) => (now[i]?.[1] ?? 0) - (mark[i]?.[1] ?? 0)
  const total = at(now.length - 1)
  for (let i = 0; i < now.length; i++) {
    if (at(i) >= total * q) return now[i]![0] * 1000
  }
  return Number.NaN
}

const program = Effect.gen(function*() {
  const server = yield* HttpServer
  const pump = yield* HubPump
  const hub = yield* Hub
  const history = yield* History
  const feedBehind = Effect.map(
    hub.consumerStats,
    (all) => all.find((s) => s.consumer === LIVE_FEED_CONSUMER)?.dropped ?? 0
  )
  let peakRss = process.memoryUsage.rss()
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 250)
  yield* Effect.addFinalizer(() => Effect.sync(() => clearInterval(sampler)))
  let cpuMark = process.cpuUsage()
  let publishedMark = 0
  let droppedMark = 0
  let writesMark = 0
  let behindMark = 0
  let latencyMark: ReadonlyArray<readonly [number, number]> = []

  process.on("message", (command: ServerCommand) =>
    Effect.runFork(Effect.gen(function*() {
      if (command.type === "exit") return process.exit(0)
      if (command.type === "go") return
      const published = yield* pump.pumped
      const dropped = yield* droppedTotal
      const writes = yield* writesTotal
      const behind = yield* feedBehind
      if (command.type === "mark") {
        cpuMark = process.cpuUsage()
        publishedMark = published
        droppedMark = dropped
        writesMark = writes
        behindMark = behind
        latencyMark = yield* emitLatency
        peakRss = process.memoryUsage.rss()
        const rssBytes = settledRss()
        yield* Effect.promise(startProfile)
        cpuMark = process.cpuUsage()
        send({ type: "marked", rssBytes })
        return
      }
      const cpu = process.cpuUsage(cpuMark)
      yield* Effect.promise(() => stopProfile("hub"))
      const latency = yield* emitLatency
      const held = yield* history.stats
      send({
        type: "stats",
        stats: {
          cpuMs: (cpu.user + cpu.system) / 1000,
          rssBytes: settledRss(),
          historyPackets: held.packets,
          historyBytes: held.bytes,
          peakRssBytes: peakRss,
          published: published - publishedMark,
          dropped: dropped - droppedMark,
          writes: writes - writesMark,
          feedBehind: behind - behindMark,
          emitP50Ms: quantileBound(latency, latencyMark, 0.5),
          emitP99Ms: quantileBound(latency, latencyMark, 0.99)
        }
      })
    })))
  send({ type: "ready", port: server.address.port })
  return yield* Effect.never
})

Effect.runFork(program.pipe(Effect.provide(layer), Effect.scoped))
