/**
 * A radar's return after an outage, in real time: a fake rtserver feeds the
 * TCP radar actor with the default reconnect schedule, stops listening for
 * the outage, listens again, and the time from its return to the first record
 * received is measured. Outages in seconds from RADAR_OUTAGE_SECONDS
 * (comma-separated, default "30"; "30,600" for the 10 min case).
 */
import { Duration, Effect, Layer, Logger, LogLevel, Option, Queue, Stream } from "effect"
import { defaultBackoffPolicy } from "../src/actors/radar/radar-backoff.js"
import { tcpRadarRecords } from "../src/actors/radar/tcp-radar.js"
import { packagePath } from "../src/domain/package-files.js"
import type { RadarRecord } from "../src/domain/radar-record.js"
import { RadarRegistry } from "../src/layers/realtime/RadarRegistry.js"
import { makeFakeRtServer } from "../src/simulate/fake-rtserver.js"
import { readFitacfFile } from "../src/simulate/fitacf-file.js"
import { DEFAULT_MAX_FRAME_BYTES } from "../src/streams/connex-framer.js"
import { loadAverage } from "./machine.js"

const outage = (seconds: number) =>
  Effect.scoped(Effect.gen(function*() {
    const records = yield* readFitacfFile(packagePath("data", "replay", "pydarn-north.fitacf.bz2"))
    const server = yield* makeFakeRtServer()
    const queue = yield* Queue.unbounded<RadarRecord>()
    yield* Stream.runForEach(
      tcpRadarRecords({
        site: "han",
        host: server.host,
        port: server.port,
        maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
        stall: Duration.seconds(120),
        backoff: defaultBackoffPolicy
      }),
      (record) => Queue.offer(queue, record)
    ).pipe(Effect.forkScoped)
    yield* server.awaitClients(1)
    yield* server.send(records[0]!)
    yield* Queue.take(queue)
    yield* server.refuse
    yield* Effect.sleep(Duration.seconds(seconds))
    const returnedAt = performance.now()
    yield* server.accept
    yield* server.awaitClients(1)
    yield* server.send(records[1]!)
    yield* Queue.take(queue)
    const back = (performance.now() - returnedAt) / 1000
    const status = Option.fromNullable(yield* Effect.flatMap(RadarRegistry, (r) => r.get("han")))
    const counters = Option.map(status, (s) => s.counters)
    console.log(
      `outage ${seconds} s: first record ${back.toFixed(2)} s after the radar's return; ` +
        `failed attempts ${Option.match(counters, { onNone: () => "?", onSome: (c) => c.failedAttempts })}, ` +
        `reconnects ${Option.match(counters, { onNone: () => "?", onSome: (c) => c.reconnects })}; ` +
        `load average ${loadAverage()}`
    )
  }))

export const run = async (): Promise<void> => {
  const seconds = (process.env["RADAR_OUTAGE_SECONDS"] ?? "30").split(",").map(Number).filter((n) => n > 0)
  for (const s of seconds) {
    await Effect.runPromise(
      outage(s).pipe(
        Effect.provide(Layer.merge(RadarRegistry.Default, Logger.minimumLogLevel(LogLevel.Error)))
      )
    )
  }
}
