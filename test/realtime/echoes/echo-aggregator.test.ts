/**
 * The aggregation sink end to end, minus the radars: real records published
 * into the real Hub, windowed, written to a real SQLite file. The live feed
 * is a recorder of `emitSiteEvent` calls, except in the last test, which runs
 * the real Socket.IO feed with a real client.
 */
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import {
  Chunk,
  ConfigProvider,
  Context,
  Effect,
  Exit,
  Fiber,
  Layer,
  Metric,
  Option,
  Queue,
  Scope,
  TestClock
} from "effect"
import { io as connect } from "socket.io-client"
import type { RadarRecord } from "../../../src/domain/radar-record.js"
import { AppConfig } from "../../../src/layers/platform/AppConfig.js"
import { databaseLayer } from "../../../src/layers/platform/database.js"
import { HttpServer } from "../../../src/layers/platform/HttpServer.js"
import { DatabaseHealth } from "../../../src/layers/realtime/DatabaseHealth.js"
import { scanRewinds, scansDropped, scansStored, scanWriteFailures } from "../../../src/layers/realtime/echo-metrics.js"
import { EchoAggregator, type EchoAggregatorOptions, echoesEvent } from "../../../src/layers/realtime/EchoAggregator.js"
import { EchoStore } from "../../../src/layers/realtime/EchoStore.js"
import { Hub } from "../../../src/layers/realtime/Hub.js"
import { LiveFeed } from "../../../src/layers/realtime/LiveFeed.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { httpServerLayer } from "../live/server-layers.js"
import { loadPydarnNorth } from "./pydarn-north.js"
import { tempDatabaseFile } from "./temp-database.js"

testsNeedProgram("bzip2", "bzip2")

interface SiteEvent {
  readonly site: string
  readonly event: string
  readonly payload: unknown
}

/** A LiveFeed that records what would be sent. */
const recordingFeed = (events: Array<SiteEvent>) =>
  Layer.succeed(LiveFeed, {
    emitSiteEvent: (site, event, payload) => Effect.sync(() => void events.push({ site, event, payload })),
    clientCount: Effect.succeed(0),
    latestPackets: Effect.succeed(new Map()),
    clientBacklogs: Effect.succeed(new Map())
  })

const settings = (values: Record<string, string> = {}) =>
  AppConfig.Default.pipe(
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(values)))))
  )

interface StoredRow {
  readonly site_name: string
  readonly channel: number
  readonly timestamp: number
  readonly total_echoes: number
  readonly ionospheric_echoes: number
  readonly ground_scatter_echoes: number
  readonly record_count: number
  readonly beam_count: number
  readonly complete: number
}

const storedRows = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql<StoredRow>`SELECT * FROM echo_scans WHERE channel <> 9 ORDER BY channel, timestamp`
)

/** Lets fibers run, moving the TestClock 100 ms per turn, until `done` holds (bounded). */
const eventually = <A, E, R>(read: Effect.Effect<A, E, R>, done: (a: A) => boolean) =>
  Effect.gen(function*() {
    for (let turn = 0; turn < 300; turn++) {
      const value = yield* read
      if (done(value)) return value
      yield* TestClock.adjust("100 millis")
    }
    return yield* Effect.dieMessage("condition not reached")
  })

const hanRecords = Effect.map(
  loadPydarnNorth,
  (all) => all.map(({ fitacf, record }): RadarRecord => ({ site: "han", receivedAt: 0, record, fitacf }))
)

const scanStart = (minute: number) => Date.UTC(2018, 3, 4, 6, minute, 0) + [0, 47, 20, 15, 30][minute]!

/** An aggregator started by a test, and the scope whose closing is its shutdown. */
interface Running {
  readonly scope: Scope.CloseableScope
  readonly aggregator: Context.Tag.Service<EchoAggregator>
}

/**
 * The database (and hub) outlive aggregators built and shut down in a child
 * scope, as across a process restart.
 */
type Base = Hub | EchoStore | DatabaseHealth | SqlClient.SqlClient

const withAggregation = <A, E>(
  body: (start: Effect.Effect<Running, unknown>) => Effect.Effect<A, E, Base | Scope.Scope>,
  events: Array<SiteEvent> = [],
  options: Partial<EchoAggregatorOptions> = {}
) =>
  Effect.gen(function*() {
    const file = yield* tempDatabaseFile
    const base = Layer.mergeAll(
      Hub.Default,
      DatabaseHealth.Default.pipe(Layer.provideMerge(EchoStore.Default), Layer.provideMerge(databaseLayer(file)))
    )
    return yield* Effect.gen(function*() {
      const context = yield* Effect.context<Base>()
      const aggregator = EchoAggregator.layer(options).pipe(
        Layer.provide(
          Layer.mergeAll(recordingFeed(events), settings({ SCAN_IDLE_SECONDS: "180" }), Layer.succeedContext(context))
        )
      )
      const start = Effect.gen(function*() {
        const scope = yield* Scope.make()
        const built = yield* Layer.buildWithScope(aggregator, scope)
        return { scope, aggregator: Context.get(built, EchoAggregator) }
      })
      return yield* body(start)
    }).pipe(Effect.provide(base))
  })

const publishAll = (records: ReadonlyArray<RadarRecord>) =>
  Effect.flatMap(Hub, (hub) => Effect.forEach(records, hub.publish, { discard: true }))

const recordMs = (r: RadarRecord): number => {
  const t = r.fitacf.time
  return Date.UTC(t.yr, t.mo - 1, t.dy, t.hr, t.mt, t.sc) + Math.floor(t.us / 1000)
}

interface FileScan {
  readonly channel: number
  readonly timestamp: number
  readonly records: ReadonlyArray<RadarRecord>
  readonly complete: boolean
}

/**
 * The scans of a record sequence, computed here independently of the
 * windowing: per channel, a scan runs from a record flagged ±1 to the next
 * one; a run that did not begin with the flag, and the last run, are
 * incomplete.
 */
const fileScans = (records: ReadonlyArray<RadarRecord>): Array<FileScan> => {
  const out: Array<FileScan> = []
  for (const channel of [...new Set(records.map((r) => r.fitacf.channel))].sort()) {
    const runs: Array<Array<RadarRecord>> = []
    for (const record of records.filter((r) => r.fitacf.channel === channel && r.fitacf.scan !== -2)) {
      if (runs.length === 0 || Math.abs(record.fitacf.scan) === 1) runs.push([])
      runs[runs.length - 1]!.push(record)
    }
    runs.forEach((run, i) =>
      out.push({
        channel,
        timestamp: recordMs(run[0]!),
        records: run,
        complete: Math.abs(run[0]!.fitacf.scan) === 1 && i < runs.length - 1
      })
    )
  }
  return out
}

/** The rows a list of scans should be stored as, in `storedRows` order. */
const expectedRows = (scans: ReadonlyArray<FileScan>): Array<StoredRow> =>
  scans.map((scan): StoredRow => {
    let total = 0
    let ionospheric = 0
    let ground = 0
    for (const { fitacf } of scan.records) {
      total += fitacf.slist.length
      for (let i = 0; i < fitacf.slist.length; i++) {
        if (fitacf.gflg[i] === 0) ionospheric++
        if (fitacf.gflg[i] === 1) ground++
      }
    }
    const n = scan.records.length
    return {
      site_name: "han",
      channel: scan.channel,
      timestamp: scan.timestamp,
      total_echoes: total / n,
      ionospheric_echoes: ionospheric / n,
      ground_scatter_echoes: ground / n,
      record_count: n,
      beam_count: new Set(scan.records.map((r) => r.fitacf.bmnum)).size,
      complete: scan.complete ? 1 : 0
    }
  }).sort((a, b) => a.channel - b.channel || a.timestamp - b.timestamp)

/** Every stored row was announced, and the last event of each scan is exactly its row. */
const expectEventsMatch = (events: ReadonlyArray<SiteEvent>, rows: ReadonlyArray<StoredRow>) => {
  const last = new Map<string, unknown>()
  for (const event of events) {
    const payload = event.payload as ReturnType<typeof echoesEvent>
    last.set(`${payload.channel}/${payload.timestamp}`, payload)
  }
  expect(last.size).toBe(rows.length)
  for (const row of rows) {
    expect(last.get(`${row.channel}/${new Date(row.timestamp).toISOString().slice(0, 19)}Z`)).toEqual({
      total_echoes: Math.round(row.total_echoes),
      ionospheric_echoes: Math.round(row.ionospheric_echoes),
      ground_scatter_echoes: Math.round(row.ground_scatter_echoes),
      timestamp: new Date(row.timestamp).toISOString().slice(0, 19) + "Z",
      channel: row.channel
    })
  }
}

/** Lets the database grow no further: every insert that needs a page fails with SQLITE_FULL. */
const fillDisk = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const pages = (yield* sql<{ page_count: number }>`PRAGMA page_count`)[0]!.page_count
  yield* sql.unsafe(`PRAGMA max_page_count = ${pages}`)
  // Fill the pages there are, big rows then small ones, so the next scan needs a new page.
  let i = 0
  for (const width of [400, 40, 1]) {
    for (;; i++) {
      const full = yield* sql`INSERT INTO echo_scans VALUES (${"f".padEnd(width, "x") + i}, 9, ${i}, 0, 0, 0, 1, 1, 1)`
        .pipe(
          Effect.as(false),
          Effect.catchAll(() => Effect.succeed(true))
        )
      if (full) break
    }
  }
})

describe("EchoAggregator", () => {
  it.scoped("stores and emits each closed scan of the real stereo records", () => {
    const events: Array<SiteEvent> = []
    return withAggregation((start) =>
      Effect.gen(function*() {
        const before = yield* Metric.value(scansStored)
        yield* start
        yield* publishAll(yield* hanRecords)
        const rows = yield* eventually(storedRows, (rows) => rows.length === 6)
        expect(rows.map((r) => [r.channel, r.timestamp, r.record_count, r.beam_count, r.complete])).toEqual([
          [1, scanStart(1), 16, 16, 1],
          [1, scanStart(2), 16, 16, 1],
          [1, scanStart(3), 16, 16, 1],
          [2, scanStart(1), 16, 1, 1],
          [2, scanStart(2), 16, 1, 1],
          [2, scanStart(3), 16, 1, 1]
        ])
        expect(
          rows.every((r) => r.site_name === "han" && r.total_echoes === r.ionospheric_echoes + r.ground_scatter_echoes)
        ).toBe(true)
        expect(((yield* Metric.value(scansStored)).count) - before.count).toBe(6)

        // One `han/echoes` event per stored scan, carrying the same (rounded) means.
        expect(events.map((e) => e.event)).toEqual(Array(6).fill("han/echoes"))
        const sortedEvents = events.map((e) => e.payload as ReturnType<typeof echoesEvent>)
          .sort((a, b) => a.channel - b.channel || a.timestamp.localeCompare(b.timestamp))
        expect(sortedEvents).toEqual(rows.map((r) => ({
          total_echoes: Math.round(r.total_echoes),
          ionospheric_echoes: Math.round(r.ionospheric_echoes),
          ground_scatter_echoes: Math.round(r.ground_scatter_echoes),
          timestamp: new Date(r.timestamp).toISOString().slice(0, 19) + "Z",
          channel: r.channel
        })))
      }), events)
  })

  it.scoped("closes a scan silent for SCAN_IDLE_SECONDS as incomplete, on the clock", () => {
    const events: Array<SiteEvent> = []
    return withAggregation((start) =>
      Effect.gen(function*() {
        yield* start
        const channelOne = (yield* hanRecords).filter((r) => r.fitacf.channel === 1).slice(0, 5)
        yield* publishAll(channelOne)
        yield* TestClock.adjust("170 seconds")
        expect(yield* storedRows).toEqual([])
        yield* TestClock.adjust("20 seconds")
        const rows = yield* eventually(storedRows, (rows) => rows.length === 1)
        expect(rows[0]).toMatchObject({
          channel: 1,
          timestamp: scanStart(1),
          record_count: 5,
          beam_count: 5,
          complete: 0
        })
        expect(events).toHaveLength(1)
      }), events)
  })

  it.scoped("stores open scans as incomplete on shutdown", () =>
    withAggregation((start) =>
      Effect.gen(function*() {
        const { aggregator, scope } = yield* start
        yield* publishAll(yield* hanRecords)
        yield* eventually(storedRows, (rows) => rows.length === 6)
        expect(yield* aggregator.openScans).toBe(2)
        yield* Scope.close(scope, Exit.void)
        const rows = yield* storedRows
        expect(rows.filter((r) => r.complete === 0).map((r) => [r.channel, r.timestamp, r.record_count])).toEqual([
          [1, scanStart(4), 2],
          [2, scanStart(4), 2]
        ])
        expect(rows).toHaveLength(8)
      })
    ))

  it.scoped("a restart mid-scan followed by a replay from the scan start stores the whole scan once, in place of the partial one", () =>
    withAggregation((start) =>
      Effect.gen(function*() {
        const records = yield* hanRecords
        const { scope: first } = yield* start
        yield* publishAll(records.slice(0, 20))
        yield* Scope.close(first, Exit.void)
        const partial = yield* storedRows
        expect(partial.map((r) => [r.channel, r.timestamp, r.record_count, r.complete])).toEqual([
          [1, scanStart(1), 10, 0],
          [2, scanStart(1), 10, 0]
        ])

        const { scope: second } = yield* start
        yield* publishAll(records)
        yield* eventually(storedRows, (rows) => rows.length === 6 && rows.every((r) => r.complete === 1))
        yield* Scope.close(second, Exit.void)
        const rows = yield* storedRows
        expect(rows.map((r) => [r.channel, r.timestamp, r.record_count, r.complete])).toEqual([
          [1, scanStart(1), 16, 1],
          [1, scanStart(2), 16, 1],
          [1, scanStart(3), 16, 1],
          [1, scanStart(4), 2, 0],
          [2, scanStart(1), 16, 1],
          [2, scanStart(2), 16, 1],
          [2, scanStart(3), 16, 1],
          [2, scanStart(4), 2, 0]
        ])
        expect(rows).toEqual(expectedRows(fileScans(records)))
      })
    ))

  it.scoped("a restart mid-scan followed by the rest of the scan stores the rest on its own, each record once", () =>
    withAggregation((start) =>
      Effect.gen(function*() {
        const records = yield* hanRecords
        const { scope: first } = yield* start
        yield* publishAll(records.slice(0, 20))
        yield* Scope.close(first, Exit.void)
        const { scope: second } = yield* start
        yield* publishAll(records.slice(20, 32))
        yield* publishAll(records.slice(32, 34))
        yield* eventually(storedRows, (rows) => rows.length === 4)
        yield* Scope.close(second, Exit.void)
        const minuteOne = (yield* storedRows).filter((r) => r.timestamp < scanStart(2))
        expect(minuteOne.map((r) => [r.channel, r.record_count, r.complete])).toEqual([
          [1, 10, 0],
          [1, 6, 0],
          [2, 10, 0],
          [2, 6, 0]
        ])
      })
    ))

  it.scoped("a full disk: retried with backoff, /health degraded with the error, storing resumes by itself, nothing lost", () =>
    withAggregation((start) =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const health = yield* DatabaseHealth
        const failuresBefore = (yield* Metric.value(scanWriteFailures)).count
        yield* start
        yield* fillDisk
        yield* publishAll(yield* hanRecords)
        yield* eventually(Metric.value(scanWriteFailures), (m) => m.count - failuresBefore >= 3)
        expect(yield* storedRows).toEqual([])
        const degraded = yield* health.state
        expect(degraded).toMatchObject({ ok: false, integrity: "ok" })
        expect(degraded.lastError).toMatch(/SQLITE_FULL/)
        // Space comes back: no restart, no intervention.
        yield* sql`PRAGMA max_page_count = 1073741823`
        const rows = yield* eventually(storedRows, (rows) => rows.length === 6)
        expect(rows.every((r) => r.complete === 1 && r.record_count === 16)).toBe(true)
        expect(yield* health.state).toMatchObject({ ok: true, lastError: undefined })
      })
    ))

  it.scoped("a scan the database refuses is split out and dropped (counted); the rest of its batch is stored and emitted", () => {
    const events: Array<SiteEvent> = []
    return withAggregation(
      (start) =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const refusedBefore = (yield* Metric.value(Metric.tagged(scansDropped, "reason", "refused"))).count
          yield* sql.unsafe(
            `CREATE TRIGGER poison BEFORE INSERT ON echo_scans WHEN NEW.channel = 2 AND NEW.timestamp = ${scanStart(2)}
          BEGIN SELECT RAISE(ABORT, 'refused for the test'); END`
          )
          yield* start
          yield* publishAll(yield* hanRecords)
          const rows = yield* eventually(storedRows, (rows) => rows.length === 5)
          expect(rows.map((r) => [r.channel, r.timestamp])).toEqual([
            [1, scanStart(1)],
            [1, scanStart(2)],
            [1, scanStart(3)],
            [2, scanStart(1)],
            [2, scanStart(3)]
          ])
          expect((yield* Metric.value(Metric.tagged(scansDropped, "reason", "refused"))).count - refusedBefore).toBe(1)
          expectEventsMatch(events, rows)
          // The writer goes on: later scans are stored.
          expect(yield* (yield* DatabaseHealth).state).toMatchObject({ ok: true })
        }),
      events,
      { batchWindow: "5 seconds" }
    )
  })

  it.scoped("while the database is away, at most pendingCapacity scans wait; the oldest are dropped and counted", () =>
    withAggregation(
      (start) =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const droppedBefore = (yield* Metric.value(Metric.tagged(scansDropped, "reason", "buffer_full"))).count
          const failuresBefore = (yield* Metric.value(scanWriteFailures)).count
          yield* fillDisk
          const { aggregator } = yield* start
          const records = yield* hanRecords
          // Minute 1 closes: the writer takes channel 1's scan (one per batch) and keeps failing; channel 2's waits.
          yield* publishAll(records.slice(0, 34))
          yield* eventually(Metric.value(scanWriteFailures), (m) => m.count > failuresBefore)
          expect(yield* aggregator.pendingScans).toBe(2)
          // Minutes 2 and 3 close: four more scans for a buffer of two.
          yield* publishAll(records.slice(34))
          yield* eventually(
            Metric.value(Metric.tagged(scansDropped, "reason", "buffer_full")),
            (m) => m.count - droppedBefore === 3
          )
          expect(yield* aggregator.pendingScans).toBe(3)
          yield* sql`PRAGMA max_page_count = 1073741823`
          const rows = yield* eventually(storedRows, (rows) => rows.length === 3)
          expect(rows.map((r) => [r.channel, r.timestamp])).toEqual([[1, scanStart(1)], [1, scanStart(3)], [
            2,
            scanStart(3)
          ]])
        }),
      [],
      { pendingCapacity: 2, batchSize: 1 }
    ))

  it.scoped("shutdown against a database that does not take writes gives up at its deadline and says how many scans were lost", () =>
    withAggregation(
      (start) =>
        Effect.gen(function*() {
          const lostBefore = (yield* Metric.value(Metric.tagged(scansDropped, "reason", "shutdown"))).count
          const failuresBefore = (yield* Metric.value(scanWriteFailures)).count
          yield* fillDisk
          const { scope } = yield* start
          yield* publishAll(yield* hanRecords)
          yield* eventually(Metric.value(scanWriteFailures), (m) => m.count > failuresBefore)
          const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
          yield* eventually(Fiber.poll(closing), Option.isSome)
          // 6 closed scans and the 2 open ones flushed at shutdown.
          expect((yield* Metric.value(Metric.tagged(scansDropped, "reason", "shutdown"))).count - lostBefore).toBe(8)
          expect(yield* storedRows).toEqual([])
        }),
      [],
      { drainTimeout: "3 seconds" }
    ))

  it.scoped("RST's wrap (the last record sent again) and repeats mid-scan: each record counts once, no packet is duplicated", () => {
    const events: Array<SiteEvent> = []
    return withAggregation((start) =>
      Effect.gen(function*() {
        const records = yield* hanRecords
        const hub = yield* Hub
        const packets = yield* hub.subscribe("test-packets", 10_000)
        yield* start
        const sent: Array<RadarRecord> = []
        for (const [i, record] of records.entries()) {
          sent.push(record)
          // Every 16th record sent again at once, as a reconnect's replay of the last record does.
          if (i % 16 === 15) sent.push(record)
        }
        sent.push(records[records.length - 2]!, records[records.length - 1]!)
        yield* publishAll(sent)
        const rows = yield* eventually(storedRows, (rows) => rows.length === 6)
        const forwarded = Chunk.toReadonlyArray(yield* Queue.takeAll(packets))
        expect(forwarded).toEqual(records)
        expect(rows).toEqual(expectedRows(fileScans(records)).filter((r) => r.complete === 1))
        expectEventsMatch(events, rows)
      }), events)
  })

  it.scoped("a 90 s rewind closes the open scan as incomplete and starts over; complete scans equal the file's, events equal rows", () => {
    const events: Array<SiteEvent> = []
    return withAggregation((start) =>
      Effect.gen(function*() {
        const records = yield* hanRecords
        const rewindsBefore = (yield* Metric.value(scanRewinds)).count
        const { scope } = yield* start
        // Into minute 3's scan, then the radar's server restarts and sends from 90 s earlier (mid minute 2).
        const cut = records.findIndex((r) => recordMs(r) >= scanStart(3) + 40_000)
        const back = records.findIndex((r) => recordMs(r) >= recordMs(records[cut - 1]!) - 90_000)
        yield* publishAll(records.slice(0, cut))
        yield* publishAll(records.slice(back))
        yield* eventually(storedRows, (rows) => rows.filter((r) => r.complete === 1).length === 6)
        yield* Scope.close(scope, Exit.void)
        expect((yield* Metric.value(scanRewinds)).count - rewindsBefore).toBe(2)
        const rows = yield* storedRows
        const whole = fileScans(records)
        const replayed = fileScans(records.slice(back))
        // Complete: the file's six. Incomplete: the fragment the rewind started (up to the next scan start) and the
        // last, open scan of each channel. Minute 3's partial row before the rewind was replaced by the whole scan.
        const expected = [
          ...whole.filter((s) => s.complete),
          ...replayed.filter((s, i, all) => all.findIndex((o) => o.channel === s.channel) === i),
          ...whole.filter((s) => s.timestamp >= scanStart(4))
        ]
        expect(rows).toEqual(expectedRows(expected))
        expectEventsMatch(events, rows)
      }), events)
  })

  it.scopedLive("a Socket.IO client receives <site>/echoes for each closed scan", () =>
    Effect.gen(function*() {
      const file = yield* tempDatabaseFile
      const store = DatabaseHealth.Default.pipe(
        Layer.provideMerge(EchoStore.Default),
        Layer.provideMerge(databaseLayer(file))
      )
      const server = httpServerLayer(Layer.empty)
      const feed = LiveFeed.Default.pipe(
        Layer.provideMerge(server),
        Layer.provideMerge(Hub.Default),
        Layer.provideMerge(RadarRegistry.Default)
      )
      const layer = EchoAggregator.layer({ batchWindow: "10 millis" }).pipe(
        Layer.provideMerge(feed),
        Layer.provideMerge(store)
      )
      yield* Effect.gen(function*() {
        const { url } = yield* HttpServer
        const received: Array<unknown> = []
        const socket = connect(url, { transports: ["websocket"], reconnection: false })
        yield* Effect.addFinalizer(() => Effect.sync(() => socket.close()))
        socket.on("han/echoes", (payload: unknown) => received.push(payload))
        yield* Effect.async<void>((resume) => void socket.on("connect", () => resume(Effect.void)))
        yield* publishAll(yield* hanRecords)
        for (let turn = 0; turn < 100 && received.length < 6; turn++) yield* Effect.sleep("50 millis")
        const rows = yield* storedRows
        expect(received).toHaveLength(6)
        expect(received).toEqual(expect.arrayContaining(rows.map((r) => ({
          total_echoes: Math.round(r.total_echoes),
          ionospheric_echoes: Math.round(r.ionospheric_echoes),
          ground_scatter_echoes: Math.round(r.ground_scatter_echoes),
          timestamp: new Date(r.timestamp).toISOString().slice(0, 19) + "Z",
          channel: r.channel
        }))))
      }).pipe(Effect.provide(layer))
    }))
})
