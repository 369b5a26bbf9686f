/**
 * EchoQueries against a real SQLite file: the same bodies from the worker
 * threads and from the store's own client, byte for byte what
 * `JSON.stringify` gives for the columns computed here from the inserted
 * scans; unknown sites; the admission bound (a worker held by a lock the
 * test takes, so the queue fills deterministically).
 */
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Layer, Option, Stream } from "effect"
import { databaseLayer } from "../../../src/layers/platform/database.js"
import { EchoQueries, type EchoSeriesRequest } from "../../../src/layers/realtime/EchoQueries.js"
import { EchoStore } from "../../../src/layers/realtime/EchoStore.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"
import type { EchoScan } from "../../../src/streams/scan-window.js"
import { echoColumnsOf } from "./echo-columns.js"
import { tempDatabaseFile } from "./temp-database.js"

const T0 = Date.UTC(2025, 8, 27)
const MINUTE = 60_000

const scans: ReadonlyArray<EchoScan> = Array.from({ length: 300 }, (_, i) => ({
  site: "sas",
  channel: i % 3 === 0 ? 1 : 0,
  timestamp: T0 + i * MINUTE + 17,
  totalEchoes: i / 3,
  ionosphericEchoes: (i * 7) % 11 + 0.5,
  groundScatterEchoes: -0.4 + (i % 5),
  recordCount: 16,
  beamCount: 16,
  complete: i % 4 !== 0
}))

/** The body as the API has always written it, from the scans themselves. */
const expectedJson = (picked: ReadonlyArray<EchoScan>): string => JSON.stringify(echoColumnsOf(picked))

const expectedCsv = (picked: ReadonlyArray<EchoScan>): string =>
  "timestamp,total_echoes,ionospheric_echoes,ground_scatter_echoes,complete\n" +
  picked.map((s) =>
    `${new Date(s.timestamp).toISOString().slice(0, 19)}Z,${Math.round(s.totalEchoes)},${
      Math.round(s.ionosphericEchoes)
    },${Math.round(s.groundScatterEchoes)},${s.complete}\n`
  ).join("")

const request = (overrides: Partial<EchoSeriesRequest> = {}): EchoSeriesRequest => ({
  site: "sas",
  channel: Option.none(),
  from: T0 + 10 * MINUTE,
  to: T0 + 250 * MINUTE,
  completeOnly: false,
  ...overrides
})

const inWindow = (r: EchoSeriesRequest, channel: number) =>
  scans.filter((s) =>
    s.channel === channel && s.timestamp >= r.from && s.timestamp < r.to && (!r.completeOnly || s.complete)
  )

const withQueries = <A, E>(
  workers: number,
  body: Effect.Effect<A, E, EchoQueries | SqlClient.SqlClient>,
  queueLength = 32
) =>
  Effect.gen(function*() {
    const file = yield* tempDatabaseFile
    const store = EchoStore.Default.pipe(Layer.provideMerge(databaseLayer(file)))
    yield* Effect.flatMap(EchoStore, (s) => s.insertScans(scans)).pipe(Effect.provide(store))
    const layer = EchoQueries.layer({ workers, queueLength, databaseFile: Option.some(file), pageRows: 7 }).pipe(
      Layer.provideMerge(store),
      Layer.provide(RadarRegistry.Default)
    )
    return yield* body.pipe(Effect.provide(layer))
  })

const csvText = (stream: Stream.Stream<Uint8Array, unknown>) =>
  Effect.map(Stream.runCollect(stream), (chunks) => Buffer.concat(Chunk.toReadonlyArray(chunks)).toString("latin1"))

/** The JSON body's bytes as text (the codec writes ASCII only). */
const jsonText = <E, R>(body: Effect.Effect<Uint8Array, E, R>) =>
  Effect.map(body, (bytes) => Buffer.from(bytes).toString("latin1"))

describe("EchoQueries", () => {
  for (const workers of [2, 0]) {
    const where = workers > 0 ? "in worker threads" : "on the store's client"
    it.scoped(`writes the JSON and CSV bodies ${where}, byte for byte`, () =>
      withQueries(
        workers,
        Effect.gen(function*() {
          const queries = yield* EchoQueries
          // No channel: the lowest with data in the window is 0.
          expect(yield* jsonText(queries.seriesJson(request()))).toBe(expectedJson(inWindow(request(), 0)))
          const one = request({ channel: Option.some(1) })
          expect(yield* jsonText(queries.seriesJson(one))).toBe(expectedJson(inWindow(one, 1)))
          const complete = request({ completeOnly: true })
          expect(yield* jsonText(queries.seriesJson(complete))).toBe(expectedJson(inWindow(complete, 0)))
          // Pages of 7 rows: the keyset walks the whole window.
          expect(yield* csvText(yield* queries.seriesCsv(request()))).toBe(expectedCsv(inWindow(request(), 0)))
          expect(yield* csvText(yield* queries.seriesCsv(complete))).toBe(expectedCsv(inWindow(complete, 0)))
          const empty = request({ from: T0 + 1000 * MINUTE, to: T0 + 1100 * MINUTE })
          expect(yield* jsonText(queries.seriesJson(empty))).toBe(expectedJson([]))
        })
      ))
  }

  it.scoped("refuses a site neither configured, in the radar table, nor stored; answers a known one without data", () =>
    withQueries(
      1,
      Effect.gen(function*() {
        const queries = yield* EchoQueries
        const error = yield* Effect.flip(queries.seriesJson(request({ site: "zzq" })))
        expect(error._tag).toBe("UnknownSite")
        expect(error.message).toBe("no radar zzq")
        expect(yield* jsonText(queries.seriesJson(request({ site: "pgr" })))).toBe(expectedJson([]))
      })
    ))

  it.scopedLive("holds at most workers + queue requests; beyond them it refuses at once, and serves again after", () =>
    withQueries(
      1,
      Effect.gen(function*() {
        const queries = yield* EchoQueries
        const sql = yield* SqlClient.SqlClient
        // An exclusive lock keeps the worker's reader waiting (busy timeout)
        // until the test lets go, so the worker and the queue stay full.
        yield* sql`PRAGMA locking_mode = EXCLUSIVE`
        yield* sql`INSERT INTO echo_scans VALUES ('zzz', 0, 1, 0, 0, 0, 1, 1, 1)`
        const held = yield* Effect.fork(jsonText(queries.seriesJson(request({ channel: Option.some(0) }))))
        const waiting = yield* Effect.fork(jsonText(queries.seriesJson(request({ channel: Option.some(0) }))))
        yield* Effect.sleep("100 millis")
        const refused = yield* Effect.flip(queries.seriesJson(request({ channel: Option.some(0) })))
        expect(refused._tag).toBe("EchoQueriesBusy")
        expect(refused).toMatchObject({ retryAfterSeconds: 1 })
        // A waiting request whose client goes away leaves its place.
        yield* Fiber.interrupt(waiting)
        yield* sql`PRAGMA locking_mode = NORMAL`
        yield* sql`SELECT COUNT(*) FROM echo_scans`
        expect(yield* Fiber.join(held)).toBe(expectedJson(inWindow(request(), 0)))
        expect(yield* jsonText(queries.seriesJson(request()))).toBe(expectedJson(inWindow(request(), 0)))
      }),
      1
    ))
})
