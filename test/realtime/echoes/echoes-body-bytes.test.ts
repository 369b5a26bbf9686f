/**
 * `GET /echoes/` over real HTTP answers, byte for byte, the body the API
 * wrote when the handler returned the columns and the HttpApi encoded them
 * with their Schema and `JSON.stringify`: a stereo radar's full 24 h window
 * (the default channel found by the same statement as the rows, and a given
 * one), complete scans only, an empty window. The same bytes from the query
 * workers, from the store's own SQLite client, and from PostgreSQL.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Schema } from "effect"
import { EchoColumnsSchema } from "../../../src/http/echoes-api.js"
import { EchoesHttp } from "../../../src/http/echoes-http.js"
import { databaseLayer } from "../../../src/layers/platform/database.js"
import { HttpServer } from "../../../src/layers/platform/HttpServer.js"
import { postgresLayer } from "../../../src/layers/platform/postgres.js"
import { EchoQueries } from "../../../src/layers/realtime/EchoQueries.js"
import { EchoStore } from "../../../src/layers/realtime/EchoStore.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"
import type { EchoScan } from "../../../src/streams/scan-window.js"
import { scopedPostgresDatabase } from "../../support/postgres.js"
import { requirePostgres } from "../../support/required-service.js"
import { httpServerLayer } from "../live/server-layers.js"
import { echoColumnsOf } from "./echo-columns.js"
import { tempDatabaseFile } from "./temp-database.js"

const T0 = Date.UTC(2025, 8, 27)
const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE

/**
 * A day and a bit of a stereo radar: channel 1 a scan a minute until its
 * last 100 minutes, channel 2 every other minute throughout, odd fractions.
 */
const scans: ReadonlyArray<EchoScan> = Array.from({ length: 1500 }, (_, i): ReadonlyArray<EchoScan> => {
  const scan = (channel: number): EchoScan => ({
    site: "sas",
    channel,
    timestamp: T0 - 30 * MINUTE + i * MINUTE + ((i * 7919) % 60_000),
    totalEchoes: (i * 37) % 400 + (i % 4) / 4,
    ionosphericEchoes: (i * 13) % 250 + 0.5,
    groundScatterEchoes: i % 9 === 0 ? -0.4 : (i * 3) % 150 + 0.49,
    recordCount: 16,
    beamCount: 16,
    complete: i % 11 !== 0
  })
  return [...(i < 1400 ? [scan(1)] : []), ...(i % 2 === 0 ? [scan(2)] : [])]
}).flat()

/** What the HttpApi sent for these columns: the success schema's encoding, stringified. */
const encodedBody = (channel: number, from: number, to: number, completeOnly: boolean): string => {
  const picked = scans.filter((s) =>
    s.channel === channel && s.timestamp >= from && s.timestamp < to && (!completeOnly || s.complete)
  )
  return JSON.stringify(Schema.encodeSync(EchoColumnsSchema)(echoColumnsOf(picked)))
}

const postgresMissing = await requirePostgres()

const SETUPS = [
  { name: "SQLite, query workers", workers: 2, postgres: false },
  { name: "SQLite, the store's client", workers: 0, postgres: false },
  ...(postgresMissing === undefined ? [{ name: "PostgreSQL", workers: 2, postgres: true }] : [])
] as const

const withServer = <A, E>(setup: typeof SETUPS[number], body: (url: string) => Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const file = yield* tempDatabaseFile
    const database = setup.postgres
      ? postgresLayer({ url: (yield* scopedPostgresDatabase).url })
      : databaseLayer(file)
    const store = EchoStore.Default.pipe(Layer.provideMerge(database))
    yield* Effect.flatMap(EchoStore, (s) => s.insertScans(scans)).pipe(Effect.provide(store))
    const queries = EchoQueries.layer({
      workers: setup.workers,
      databaseFile: setup.postgres ? Option.none() : Option.some(file)
    }).pipe(Layer.provideMerge(store), Layer.provide(RadarRegistry.Default))
    const layer = httpServerLayer(EchoesHttp, { MAX_DAYS_STORE_ECHOES: "30" }).pipe(Layer.provideMerge(queries))
    return yield* Effect.flatMap(HttpServer, (server) => body(server.url)).pipe(Effect.provide(layer))
  })

const getBytes = (url: string) =>
  Effect.promise(async () => {
    const response = await fetch(url)
    return {
      status: response.status,
      contentType: response.headers.get("content-type"),
      contentLength: response.headers.get("content-length"),
      bytes: Buffer.from(await response.arrayBuffer())
    }
  })

const iso = (ms: number) => new Date(ms).toISOString()

describe("GET /echoes/ bytes", () => {
  for (const setup of SETUPS) {
    it.scopedLive(`answers the bytes the columns' schema encoded, ${setup.name}`, () =>
      withServer(setup, (url) =>
        Effect.gen(function*() {
          const cases = [
            { params: { start: iso(T0), end: iso(T0 + DAY) }, channel: 1, complete: false },
            { params: { start: iso(T0), end: iso(T0 + DAY), channel: "2" }, channel: 2, complete: false },
            { params: { start: iso(T0), end: iso(T0 + DAY), complete: "true" }, channel: 1, complete: true },
            // Only channel 2 has scans in the last 90 minutes: it is the default there.
            {
              params: { start: iso(T0 + DAY - 60 * MINUTE), end: iso(T0 + DAY + 30 * MINUTE) },
              channel: 2,
              complete: false
            },
            { params: { start: iso(T0 + 3 * DAY), end: iso(T0 + 4 * DAY) }, channel: 0, complete: false }
          ]
          for (const { channel, complete, params } of cases) {
            const from = Date.parse(params.start)
            const to = Date.parse(params.end)
            const response = yield* getBytes(`${url}/echoes/?${new URLSearchParams({ site_name: "sas", ...params })}`)
            const expected = Buffer.from(encodedBody(channel, from, to, complete))
            expect(response.status).toBe(200)
            expect(response.contentType).toBe("application/json")
            expect(response.contentLength).toBe(String(expected.byteLength))
            expect(response.bytes.equals(expected), JSON.stringify(params)).toBe(true)
          }
        })))
  }
})
