/**
 * What /health says about storage (issue 18): a database with corrupt pages
 * is degraded from start-up (quick integrity check), and a failing write
 * makes it degraded with the error until a write succeeds again. Real
 * SQLite files, the real /health over HTTP.
 */
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import { HealthHttp } from "../../../src/http/health-http.js"
import { databaseLayer } from "../../../src/layers/platform/database.js"
import { HttpServer } from "../../../src/layers/platform/HttpServer.js"
import { DatabaseHealth } from "../../../src/layers/realtime/DatabaseHealth.js"
import { EchoStore } from "../../../src/layers/realtime/EchoStore.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"
import { httpServerLayer } from "../live/server-layers.js"
import { tempDatabaseFile } from "./temp-database.js"

const health = (file: string) =>
  httpServerLayer(HealthHttp).pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        RadarRegistry.Default,
        DatabaseHealth.Default.pipe(Layer.provideMerge(EchoStore.Default), Layer.provideMerge(databaseLayer(file)))
      )
    )
  )

const getHealth = (url: string) =>
  Effect.promise(async () => {
    const response = await fetch(`${url}/health`)
    const text = await response.text()
    if (!text.startsWith("{")) throw new Error(`${response.status} ${text}`)
    return { status: response.status, body: JSON.parse(text) as { database: Record<string, unknown> } }
  })

/** A database with rows spread over many pages, then bytes of a table page overwritten. */
const corruptDatabase = (file: string) =>
  Effect.gen(function*() {
    yield* Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      for (let i = 0; i < 40; i++) {
        yield* sql`INSERT INTO echo_scans VALUES (${"s".padEnd(300, "x") + i}, 0, ${i}, 1, 1, 1, 1, 1, 1)`
      }
      yield* sql`PRAGMA wal_checkpoint(TRUNCATE)`
    }).pipe(Effect.provide(databaseLayer(file)), Effect.scoped)
    const bytes = fs.readFileSync(file)
    const pageSize = bytes.readUInt16BE(16)
    // A leaf table page (type 0x0d) holding the rows: its cell pointers overwritten.
    const marker = Buffer.from("s".padEnd(300, "x"))
    let page = 1
    while (
      !(bytes[page * pageSize] === 0x0d && bytes.subarray(page * pageSize, (page + 1) * pageSize).includes(marker))
    ) page++
    bytes.fill(0xa5, page * pageSize + 8, page * pageSize + 64)
    fs.writeFileSync(file, bytes)
  })

describe("DatabaseHealth in /health", () => {
  it.scopedLive("a sound database is ok; corrupt pages show as degraded from start-up, with what the check found", () =>
    Effect.gen(function*() {
      const file = yield* tempDatabaseFile
      const sound = yield* Effect.flatMap(HttpServer, (server) => getHealth(server.url)).pipe(
        Effect.provide(health(file))
      )
      expect(sound.status).toBe(200)
      expect(sound.body.database).toEqual({ ok: true, state: "ok", last_error: null, degraded_since: null })

      yield* corruptDatabase(file)
      const corrupt = yield* Effect.flatMap(HttpServer, (server) => getHealth(server.url)).pipe(
        Effect.provide(health(file))
      )
      expect(corrupt.status).toBe(503)
      expect(corrupt.body.database).toMatchObject({ ok: false, state: "degraded" })
      expect(corrupt.body.database["last_error"]).toMatch(/echo store check failed/)
      expect(corrupt.body.database["degraded_since"]).toEqual(expect.any(String))
    }))

  it.scopedLive("a failed write degrades it with the error; the next successful one ends the episode", () =>
    Effect.gen(function*() {
      const file = yield* tempDatabaseFile
      yield* Effect.gen(function*() {
        const { url } = yield* HttpServer
        const storage = yield* DatabaseHealth
        const store = yield* EchoStore
        const sql = yield* SqlClient.SqlClient
        yield* sql`DROP TABLE echo_scans`
        const scan = {
          site: "sas",
          channel: 0,
          timestamp: Date.UTC(2025, 8, 27),
          totalEchoes: 1,
          ionosphericEchoes: 1,
          groundScatterEchoes: 0,
          recordCount: 1,
          beamCount: 1,
          complete: true
        }
        const error = yield* Effect.flip(store.insertScans([scan]))
        yield* storage.failed(error, "test write")
        const degraded = yield* getHealth(url)
        expect(degraded.status).toBe(503)
        expect(degraded.body.database).toMatchObject({ ok: false, state: "degraded" })
        expect(degraded.body.database["last_error"]).toMatch(/no such table: echo_scans/)
        yield* storage.succeeded
        const back = yield* getHealth(url)
        expect(back.status).toBe(200)
        expect(back.body.database).toMatchObject({ ok: true, state: "ok", last_error: null })
      }).pipe(Effect.provide(health(file)))
    }))
})
