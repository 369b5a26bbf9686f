import type { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Scope, TestClock } from "effect"
import { createRequire } from "node:module"
import { io as connect } from "socket.io-client"
import { type RadarStatus, zeroCounters } from "../../../src/domain/radar-status.js"
import { HealthHttp } from "../../../src/http/health-http.js"
import { databaseLayer } from "../../../src/layers/platform/database.js"
import { HttpServer } from "../../../src/layers/platform/HttpServer.js"
import { DatabaseHealth } from "../../../src/layers/realtime/DatabaseHealth.js"
import { EchoStore } from "../../../src/layers/realtime/EchoStore.js"
import { Hub } from "../../../src/layers/realtime/Hub.js"
import { LiveFeed } from "../../../src/layers/realtime/LiveFeed.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"
import { tempDatabaseFile } from "../echoes/temp-database.js"
import { httpServerLayer } from "../live/server-layers.js"

const { version } = createRequire(import.meta.url)("../../../package.json") as { version: string }

const T = Date.UTC(2025, 8, 27, 12)
const iso = (ms: number) => new Date(ms).toISOString()

const sas: RadarStatus = {
  site: "sas",
  transport: "tcp",
  address: "127.0.0.1:9001",
  phase: "receiving",
  phaseSince: T - 3_600_000,
  nextAttemptAt: undefined,
  connectedSince: T - 3_600_000,
  lastRecordAt: T - 10_000,
  counters: {
    ...zeroCounters,
    frames: 1200,
    records: 1200,
    bytes: 9_000_000,
    decodeErrors: 2,
    resyncs: 1,
    reconnects: 3
  },
  lastError: undefined
}

const pgr: RadarStatus = {
  site: "pgr",
  transport: "tcp",
  address: "127.0.0.1:9002",
  phase: "backoff",
  phaseSince: T - 5_000,
  nextAttemptAt: T + 5_000,
  connectedSince: undefined,
  lastRecordAt: undefined,
  counters: zeroCounters,
  lastError: "connect ECONNREFUSED 127.0.0.1:9002"
}

const get = (url: string) =>
  Effect.promise(async () => {
    const response = await fetch(url)
    return { status: response.status, body: await response.json() as Record<string, unknown> }
  })

/** The database and what storage reports about it (DatabaseHealth), over `database`. */
const storageLayer = <E, R>(database: Layer.Layer<SqlClient.SqlClient, E, R>) =>
  DatabaseHealth.Default.pipe(Layer.provideMerge(EchoStore.Default), Layer.provideMerge(database))

/** The real server with /health, the real live feed (for the client count) and a real SQLite file. */
const serverLayer = (file: string) =>
  LiveFeed.Default.pipe(
    Layer.provideMerge(httpServerLayer(HealthHttp, { STALL_SECONDS: "120" })),
    Layer.provideMerge(Layer.mergeAll(Hub.Default, RadarRegistry.Default, storageLayer(databaseLayer(file))))
  )

describe("GET /health", () => {
  it.scoped("reports process, database, clients and each radar, which turns stale when silent and back", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T)
      const file = yield* tempDatabaseFile
      yield* Effect.gen(function*() {
        const { url } = yield* HttpServer
        const registry = yield* RadarRegistry
        yield* registry.put(sas)
        yield* registry.put(pgr)

        const first = yield* get(`${url}/health`)
        expect(first.status).toBe(200)
        expect(first.body).toEqual({
          status: "ok",
          uptime_s: 0,
          version,
          database: { ok: true, state: "ok", last_error: null, degraded_since: null },
          radars: {
            pgr: {
              state: "backoff",
              connected_since: null,
              last_record_at: null,
              last_record_age_s: null,
              records: 0,
              decode_errors: 0,
              resyncs: 0,
              reconnects: 0,
              failed_attempts: 0,
              last_error: "connect ECONNREFUSED 127.0.0.1:9002"
            },
            sas: {
              state: "receiving",
              connected_since: iso(T - 3_600_000),
              last_record_at: iso(T - 10_000),
              last_record_age_s: 10,
              records: 1200,
              decode_errors: 2,
              resyncs: 1,
              reconnects: 3,
              failed_attempts: 0,
              last_error: null
            }
          },
          clients: 0
        })

        const socket = connect(url, { transports: ["websocket"], reconnection: false })
        yield* Effect.addFinalizer(() => Effect.sync(() => socket.close()))
        yield* Effect.async<void>((resume) => void socket.on("connect", () => resume(Effect.void)))
        expect((yield* get(`${url}/health`)).body.clients).toBe(1)

        // 110 s after its last record the radar is still fine; past 120 s it is stale.
        yield* TestClock.adjust("100 seconds")
        expect((yield* get(`${url}/health?site=sas`)).body.radars).toEqual({
          sas: expect.objectContaining({ state: "receiving" })
        })
        yield* TestClock.adjust("11 seconds")
        const stale = yield* get(`${url}/health?site=sas`)
        expect(stale.status).toBe(200)
        expect(stale.body.uptime_s).toBe(111)
        expect(stale.body.radars).toEqual({ sas: expect.objectContaining({ state: "stale", last_record_age_s: 121 }) })

        yield* registry.update("sas", (status) => ({ ...status, lastRecordAt: T + 111_000 }))
        const back = yield* get(`${url}/health?site=sas`)
        expect(back.body.radars).toEqual({ sas: expect.objectContaining({ state: "receiving", last_record_age_s: 0 }) })
      }).pipe(Effect.provide(serverLayer(file)))
    }))

  it.scoped("narrows to one radar, and refuses an unknown or malformed site", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T)
      const file = yield* tempDatabaseFile
      yield* Effect.gen(function*() {
        const { url } = yield* HttpServer
        const registry = yield* RadarRegistry
        yield* registry.put(sas)
        yield* registry.put(pgr)
        expect(Object.keys((yield* get(`${url}/health?site=pgr`)).body.radars as object)).toEqual(["pgr"])
        expect(yield* get(`${url}/health?site=inv`)).toEqual({ status: 404, body: { message: "no radar inv" } })
        expect(yield* get(`${url}/health?site=SAS!`)).toEqual({
          status: 400,
          body: { message: "site must be a site code such as sas" }
        })
        expect((yield* get(`${url}/health/`)).status).toBe(200)
      }).pipe(Effect.provide(serverLayer(file)))
    }))

  it.scoped("answers 503 when the database does not work", () =>
    Effect.gen(function*() {
      const file = yield* tempDatabaseFile
      // The database is opened in its own scope and closed before the request.
      const dbScope = yield* Scope.make()
      const database = yield* Layer.buildWithScope(databaseLayer(file), dbScope)
      const server = LiveFeed.Default.pipe(
        Layer.provideMerge(httpServerLayer(HealthHttp)),
        Layer.provideMerge(
          Layer.mergeAll(Hub.Default, RadarRegistry.Default, storageLayer(Layer.succeedContext(database)))
        )
      )
      yield* Effect.gen(function*() {
        const { url } = yield* HttpServer
        expect((yield* get(`${url}/health`)).status).toBe(200)
        yield* Scope.close(dbScope, Exit.void)
        const down = yield* get(`${url}/health`)
        expect(down.status).toBe(503)
        expect(down.body).toMatchObject({ status: "unavailable", database: { ok: false, state: "unavailable" } })
      }).pipe(Effect.provide(server))
    }))
})
