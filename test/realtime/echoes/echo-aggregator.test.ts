/**
 * The aggregation sink end to end, minus the radars: real records published
 * into the real Hub, windowed, written to a real SQLite file. The live feed
 * is a recorder of `emitSiteEvent` calls, except in the last test, which runs
 * the real Socket.IO feed with a real client.
 */
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Context, Effect, Exit, Layer, Metric, Scope, TestClock } from "effect"
import { io as connect } from "socket.io-client"
import type { RadarRecord } from "../../../src/domain/radar-record.js"
import { AppConfig } from "../../../src/layers/platform/AppConfig.js"
import { databaseLayer } from "../../../src/layers/platform/database.js"
import { EchoAggregator, echoesEvent } from "../../../src/layers/realtime/EchoAggregator.js"
import { EchoStore } from "../../../src/layers/realtime/EchoStore.js"
import { HttpServer } from "../../../src/layers/platform/HttpServer.js"
import { Hub } from "../../../src/layers/realtime/Hub.js"
import { LiveFeed } from "../../../src/layers/realtime/LiveFeed.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"
import { scansStored, scanWriteFailures } from "../../../src/layers/realtime/echo-metrics.js"
import { httpServerLayer } from "../live/server-layers.js"
import { loadPydarnNorth } from "./pydarn-north.js"
import { tempDatabaseFile } from "./temp-database.js"

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
    latestPackets: Effect.succeed(new Map())
  })

const settings = (values: Record<string, string> = {}) =>
  AppConfig.Default.pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(values))))))

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

const storedRows = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql<StoredRow>`SELECT * FROM echo_scans ORDER BY channel, timestamp`)

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

const hanRecords = Effect.map(loadPydarnNorth, (all) =>
  all.map(({ fitacf, record }): RadarRecord => ({ site: "han", receivedAt: 0, record, fitacf })))

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
const withAggregation = <A, E>(
  body: (start: Effect.Effect<Running, unknown>) => Effect.Effect<A, E, Hub | EchoStore | SqlClient.SqlClient>,
  events: Array<SiteEvent> = []
) =>
  Effect.gen(function*() {
    const file = yield* tempDatabaseFile
    const base = Layer.mergeAll(Hub.Default, EchoStore.Default.pipe(Layer.provideMerge(databaseLayer(file))))
    return yield* Effect.gen(function*() {
      const context = yield* Effect.context<Hub | EchoStore | SqlClient.SqlClient>()
      const aggregator = EchoAggregator.layer().pipe(
        Layer.provide(Layer.mergeAll(recordingFeed(events), settings({ SCAN_IDLE_SECONDS: "180" }), Layer.succeedContext(context)))
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
        expect(rows.every((r) => r.site_name === "han" && r.total_echoes === r.ionospheric_echoes + r.ground_scatter_echoes)).toBe(true)
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
        expect(rows[0]).toMatchObject({ channel: 1, timestamp: scanStart(1), record_count: 5, beam_count: 5, complete: 0 })
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
      })))

  it.scoped("a restart mid-scan followed by a replay from the scan start does not count the scan twice", () =>
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

        const before = yield* Metric.value(scansStored)
        const { scope: second } = yield* start
        yield* publishAll(records)
        yield* eventually(storedRows, (rows) => rows.length === 6)
        yield* Scope.close(second, Exit.void)
        const rows = yield* storedRows
        // The re-opened first scans hit the unique key: the rows stored before the restart stand.
        expect(rows.filter((r) => r.timestamp === scanStart(1))).toEqual(partial)
        expect(rows.map((r) => [r.channel, r.timestamp])).toEqual([
          [1, scanStart(1)], [1, scanStart(2)], [1, scanStart(3)], [1, scanStart(4)],
          [2, scanStart(1)], [2, scanStart(2)], [2, scanStart(3)], [2, scanStart(4)]
        ])
        expect((yield* Metric.value(scansStored)).count - before.count).toBe(6)
      })))

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
      })))

  it.scoped("retries a failed write until the database takes it, losing nothing", () =>
    withAggregation((start) =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const failuresBefore = (yield* Metric.value(scanWriteFailures)).count
        yield* start
        // Every insert fails while this trigger exists, as on a full disk.
        yield* sql`CREATE TRIGGER refuse_scans BEFORE INSERT ON echo_scans BEGIN SELECT RAISE(ABORT, 'disk full'); END`
        yield* publishAll(yield* hanRecords)
        yield* eventually(Metric.value(scanWriteFailures), (m) => m.count - failuresBefore >= 3)
        expect(yield* storedRows).toEqual([])
        yield* sql`DROP TRIGGER refuse_scans`
        const rows = yield* eventually(storedRows, (rows) => rows.length === 6)
        expect(rows.every((r) => r.complete === 1 && r.record_count === 16)).toBe(true)
      })))

  it.scopedLive("a Socket.IO client receives <site>/echoes for each closed scan", () =>
    Effect.gen(function*() {
      const file = yield* tempDatabaseFile
      const store = EchoStore.Default.pipe(Layer.provideMerge(databaseLayer(file)))
      const server = httpServerLayer(Layer.empty)
      const feed = LiveFeed.Default.pipe(Layer.provideMerge(server), Layer.provideMerge(Hub.Default), Layer.provideMerge(RadarRegistry.Default))
      const layer = EchoAggregator.layer({ batchWindow: "10 millis" }).pipe(Layer.provideMerge(feed), Layer.provideMerge(store))
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
