import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { EchoesHttp } from "../../../src/http/echoes-http.js"
import { databaseLayer } from "../../../src/layers/platform/database.js"
import { HttpServer } from "../../../src/layers/platform/HttpServer.js"
import { EchoQueries } from "../../../src/layers/realtime/EchoQueries.js"
import { EchoStore } from "../../../src/layers/realtime/EchoStore.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"
import type { EchoScan } from "../../../src/streams/scan-window.js"
import { httpServerLayer } from "../live/server-layers.js"
import { tempDatabaseFile } from "./temp-database.js"

const T0 = Date.UTC(2025, 8, 27)
const MINUTE = 60_000
const HOUR = 60 * MINUTE

const scan = (overrides: Partial<EchoScan> & { readonly timestamp: number }): EchoScan => ({
  site: "sas",
  channel: 0,
  totalEchoes: 12.5,
  ionosphericEchoes: 8.25,
  groundScatterEchoes: 4.25,
  recordCount: 16,
  beamCount: 16,
  complete: true,
  ...overrides
})

/** The real server on 127.0.0.1:0 with the echoes routes over a real SQLite file, queries in worker threads. */
const withServer = <A, E>(
  body: (url: string) => Effect.Effect<A, E, EchoStore | SqlClient.SqlClient>,
  queries: { readonly workers?: number; readonly queueLength?: number } = {}
) =>
  Effect.gen(function*() {
    const file = yield* tempDatabaseFile
    const store = EchoQueries.layer({ databaseFile: Option.some(file), ...queries }).pipe(
      Layer.provideMerge(EchoStore.Default),
      Layer.provideMerge(databaseLayer(file)),
      Layer.provide(RadarRegistry.Default)
    )
    const layer = httpServerLayer(EchoesHttp, { MAX_DAYS_STORE_ECHOES: "30" }).pipe(Layer.provideMerge(store))
    return yield* Effect.flatMap(HttpServer, (server) => body(server.url)).pipe(Effect.provide(layer))
  })

const get = (url: string) =>
  Effect.promise(async () => {
    const response = await fetch(url)
    return { status: response.status, headers: response.headers, text: await response.text() }
  })

const query = (params: Record<string, string>) => new URLSearchParams(params).toString()

const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z")

describe("GET /echoes/", () => {
  it.scopedLive("answers JSON columns, rounded, on both the slash and the slash-less path", () =>
    withServer((url) =>
      Effect.gen(function*() {
        const store = yield* EchoStore
        yield* store.insertScans([
          scan({ timestamp: T0 + 123, totalEchoes: 12.5, ionosphericEchoes: 8.49, groundScatterEchoes: 4.01 }),
          scan({
            timestamp: T0 + MINUTE,
            totalEchoes: 0,
            ionosphericEchoes: 0,
            groundScatterEchoes: 0,
            complete: false
          }),
          scan({ timestamp: T0 + 2 * MINUTE, totalEchoes: 20.4, ionosphericEchoes: 10.6, groundScatterEchoes: 9.8 }),
          scan({ timestamp: T0 + 3 * MINUTE }),
          scan({ timestamp: T0 + MINUTE, site: "pgr", totalEchoes: 99 })
        ])
        const params = query({ site_name: "sas", start: iso(T0), end: iso(T0 + 3 * MINUTE) })
        const slash = yield* get(`${url}/echoes/?${params}`)
        expect(slash.status).toBe(200)
        expect(slash.headers.get("content-type")).toMatch(/^application\/json/)
        expect(JSON.parse(slash.text)).toEqual({
          timestamp: ["2025-09-27T00:00:00Z", "2025-09-27T00:01:00Z", "2025-09-27T00:02:00Z"],
          total_echoes: [13, 0, 20],
          ionospheric_echoes: [8, 0, 11],
          total_ionospheric_echoes: [8, 0, 11],
          ground_scatter_echoes: [4, 0, 10],
          complete: [true, false, true]
        })
        // Written directly, yet byte for byte what JSON.stringify gives.
        expect(slash.text).toBe(JSON.stringify(JSON.parse(slash.text)))
        const complete = JSON.parse((yield* get(`${url}/echoes/?${params}&complete=true`)).text)
        expect([complete.timestamp, complete.complete]).toEqual([["2025-09-27T00:00:00Z", "2025-09-27T00:02:00Z"], [
          true,
          true
        ]])
        const bare = yield* get(`${url}/echoes?${params}`)
        expect(bare.status).toBe(200)
        expect(bare.text).toBe(slash.text)
      })
    ))

  it.scopedLive("defaults to the last 24 h and to the lowest channel with data", () =>
    withServer((url) =>
      Effect.gen(function*() {
        const store = yield* EchoStore
        const now = Date.now()
        yield* store.insertScans([
          scan({ timestamp: now - 25 * HOUR, channel: 1, totalEchoes: 1 }),
          scan({ timestamp: now - 2 * HOUR, channel: 2, totalEchoes: 2 }),
          scan({ timestamp: now - HOUR, channel: 1, totalEchoes: 3 }),
          scan({ timestamp: now - HOUR + MINUTE, channel: 2, totalEchoes: 4 })
        ])
        const main = JSON.parse((yield* get(`${url}/echoes/?site_name=sas`)).text)
        expect(main.total_echoes).toEqual([3])
        expect(main.timestamp).toEqual([iso(Math.floor((now - HOUR) / 1000) * 1000)])
        const second = JSON.parse((yield* get(`${url}/echoes/?site_name=sas&channel=2`)).text)
        expect(second.total_echoes).toEqual([2, 4])
        // Given only a start, the window is the 24 h after it.
        const fromStart = JSON.parse(
          (yield* get(`${url}/echoes/?${query({ site_name: "sas", start: iso(now - 26 * HOUR) })}`)).text
        )
        expect(fromStart.total_echoes).toEqual([1])
      })
    ))

  it.scopedLive("answers an empty range with empty arrays", () =>
    withServer((url) =>
      Effect.gen(function*() {
        const response = yield* get(
          `${url}/echoes/?${query({ site_name: "inv", start: "2025-09-27", end: "2025-09-28" })}`
        )
        expect(response.status).toBe(200)
        expect(JSON.parse(response.text)).toEqual({
          timestamp: [],
          total_echoes: [],
          ionospheric_echoes: [],
          total_ionospheric_echoes: [],
          ground_scatter_echoes: [],
          complete: []
        })
      })
    ))

  it.scopedLive("answers 404 {message} for a site neither configured, in the radar table, nor stored (issue 13)", () =>
    withServer((url) =>
      Effect.gen(function*() {
        for (const save of ["false", "true"]) {
          const response = yield* get(`${url}/echoes/?site_name=nop&save=${save}`)
          expect(response.status).toBe(404)
          expect(JSON.parse(response.text)).toEqual({ message: "no radar nop" })
        }
        // A site with stored scans is known even outside the table.
        yield* (yield* EchoStore).insertScans([scan({ timestamp: T0, site: "zzz" })])
        const stored = yield* get(`${url}/echoes/?${query({ site_name: "zzz", start: iso(T0), end: iso(T0 + HOUR) })}`)
        expect(JSON.parse(stored.text).total_echoes).toEqual([13])
      })
    ))

  it.scopedLive("beyond the running and waiting queries, answers 503 with Retry-After at once", () =>
    withServer((url) =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        // The worker's reader waits on this lock (busy timeout), so the one worker and the one queue place stay taken.
        yield* sql`PRAGMA locking_mode = EXCLUSIVE`
        yield* sql`INSERT INTO echo_scans VALUES ('zzz', 0, 1, 0, 0, 0, 1, 1, 1)`
        const params = query({ site_name: "sas", start: "2025-09-27", end: "2025-09-28", channel: "0" })
        const held = [fetch(`${url}/echoes/?${params}`), fetch(`${url}/echoes/?${params}`)]
        yield* Effect.sleep("300 millis")
        const refused = yield* get(`${url}/echoes/?${params}`)
        expect(refused.status).toBe(503)
        expect(refused.headers.get("retry-after")).toBe("1")
        expect(JSON.parse(refused.text).message).toMatch(/^too many echo queries/)
        yield* sql`PRAGMA locking_mode = NORMAL`
        yield* sql`SELECT COUNT(*) FROM echo_scans`
        const answered = yield* Effect.promise(() => Promise.all(held))
        expect(answered.map((r) => r.status)).toEqual([200, 200])
      }), { workers: 1, queueLength: 1 }))

  it.scopedLive("streams CSV with save=true: header, file name, every row in order across pages", () =>
    withServer((url) =>
      Effect.gen(function*() {
        const store = yield* EchoStore
        const rows = 4_500
        yield* store.insertScans(
          Array.from({ length: rows }, (_, i) =>
            scan({
              timestamp: T0 + i * MINUTE,
              totalEchoes: i + 0.4,
              ionosphericEchoes: i % 7,
              groundScatterEchoes: 0.5
            }))
        )
        const end = T0 + rows * MINUTE
        const response = yield* get(
          `${url}/echoes/?${query({ site_name: "sas", start: iso(T0), end: iso(end), save: "true" })}`
        )
        expect(response.status).toBe(200)
        expect(response.headers.get("content-type")).toBe("text/csv")
        expect(response.headers.get("content-disposition")).toBe(
          `attachment; filename="sas_echoes_20250927T000000Z_${iso(end).replace(/[-:]/g, "")}.csv"`
        )
        const lines = response.text.trimEnd().split("\n")
        expect(lines[0]).toBe("timestamp,total_echoes,ionospheric_echoes,ground_scatter_echoes,complete")
        expect(lines.length).toBe(rows + 1)
        expect(lines[1]).toBe("2025-09-27T00:00:00Z,0,0,1,true")
        expect(lines[2]).toBe("2025-09-27T00:01:00Z,1,1,1,true")
        expect(lines[rows]).toBe(`${iso(T0 + (rows - 1) * MINUTE)},${rows - 1},${(rows - 1) % 7},1,true`)
      })
    ))

  it.scopedLive("refuses each bad parameter with 400 and a message", () =>
    withServer((url) =>
      Effect.gen(function*() {
        const cases: ReadonlyArray<readonly [string, RegExp]> = [
          ["", /^site_name is required$/],
          ["site_name=SAS", /^site_name must be 3 lowercase letters, got "SAS"$/],
          ["site_name=sask", /^site_name must be 3 lowercase letters/],
          ["site_name=sas&site_name=pgr", /^site_name must be given once$/],
          ["site_name=sas&start=2025-09-27&start=2025-09-28", /^start must be given once$/],
          ["site_name=sas&start=yesterday", /^start must be an ISO 8601 date or date-time, got "yesterday"$/],
          ["site_name=sas&end=2025-02-30T00:00:00Z", /^end must be an ISO 8601/],
          ["site_name=sas&start=2025-09-27T01:00:00Z&end=2025-09-27T01:00:00Z", /^start must be before end$/],
          ["site_name=sas&start=2025-09-28&end=2025-09-27", /^start must be before end$/],
          ["site_name=sas&start=2025-08-01&end=2025-09-01", /retention period/],
          ["site_name=sas&channel=one", /^channel must be a channel number/],
          ["site_name=sas&channel=-1", /^channel must be a channel number/],
          // Decimal digits only (issue 18).
          ["site_name=sas&channel=1e2", /^channel must be a channel number 0-255, got "1e2"$/],
          ["site_name=sas&channel=0x1", /^channel must be a channel number/],
          ["site_name=sas&channel=1.0", /^channel must be a channel number/],
          ["site_name=sas&channel=%201", /^channel must be a channel number/],
          ["site_name=sas&channel=256", /^channel must be a channel number/],
          ["site_name=sas&complete=yes", /^complete must be true or false, got "yes"$/],
          ["site_name=sas&save=maybe", /^save must be true or false, got "maybe"$/]
        ]
        for (const [params, message] of cases) {
          const response = yield* get(`${url}/echoes/?${params}`)
          expect(response.status, params).toBe(400)
          expect(JSON.parse(response.text).message, params).toMatch(message)
        }
        // 30 days exactly is within the retention period.
        expect((yield* get(`${url}/echoes/?site_name=sas&start=2025-08-01&end=2025-08-31`)).status).toBe(200)
        // Any ISO 8601 form (issue 18): a week date, the year 0001.
        expect((yield* get(`${url}/echoes/?site_name=sas&start=2025-W39-6&channel=007`)).status).toBe(200)
        expect((yield* get(`${url}/echoes/?site_name=sas&start=0001-01-01`)).status).toBe(200)
      })
    ))

  it.scopedLive("answers 503 with a message, never a stack trace, when the database fails", () =>
    withServer((url) =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`DROP TABLE echo_scans`
        for (const save of ["false", "true"]) {
          const response = yield* get(`${url}/echoes/?site_name=sas&save=${save}`)
          expect(response.status).toBe(503)
          expect(JSON.parse(response.text)).toEqual({ message: "the echo database is unavailable" })
        }
      })
    ))
})
