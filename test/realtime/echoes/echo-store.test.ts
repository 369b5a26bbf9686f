import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Layer, Option, Stream } from "effect"
import { databaseLayer } from "../../../src/layers/platform/database.js"
import { postgresLayer } from "../../../src/layers/platform/postgres.js"
import { EchoStore } from "../../../src/layers/realtime/EchoStore.js"
import type { EchoScan } from "../../../src/streams/scan-window.js"
import { scopedPostgresDatabase } from "../../support/postgres.js"
import { requirePostgres } from "../../support/required-service.js"
import { tempDatabaseFile } from "./temp-database.js"

const T0 = Date.UTC(2025, 8, 27)
const MINUTE = 60_000

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

/**
 * Every case runs on both engines: the embedded SQLite file and PostgreSQL
 * (DATABASE_URL), each in a database of its own; one set of queries must
 * answer the same on both.
 */
const postgresMissing = await requirePostgres()
const ENGINES = [
  { name: "SQLite", dialect: "sqlite", database: Effect.map(tempDatabaseFile, (file) => databaseLayer(file)) },
  ...(postgresMissing === undefined
    ? [{
      name: "PostgreSQL",
      dialect: "pg",
      database: Effect.map(scopedPostgresDatabase, ({ url }) => postgresLayer({ url }))
    }]
    : [])
] as const

for (const engine of ENGINES) {
  const withStore = <A, E>(body: Effect.Effect<A, E, EchoStore | SqlClient.SqlClient>) =>
    Effect.gen(function*() {
      const database = yield* engine.database
      return yield* body.pipe(Effect.provide(EchoStore.Default.pipe(Layer.provideMerge(database))))
    })

  const countRows = Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql<{ n: number }>`SELECT COUNT(*) AS n FROM echo_scans`
  )
    .pipe(
      Effect.map((rows) => Number(rows[0]!.n))
    )

  describe(`EchoStore on ${engine.name}`, () => {
    it.scoped("stores a batch, keeps the fraction, skips scans already stored and returns the rows it wrote", () =>
      withStore(Effect.gen(function*() {
        const store = yield* EchoStore
        const scans = [scan({ timestamp: T0 }), scan({ timestamp: T0 + MINUTE, totalEchoes: 1 / 3, complete: false })]
        expect(yield* store.insertScans(scans)).toEqual(scans)
        expect(
          yield* store.insertScans([scan({ timestamp: T0, totalEchoes: 99 }), scan({ timestamp: T0 + 2 * MINUTE })])
        )
          .toEqual([
            scan({ timestamp: T0 + 2 * MINUTE })
          ])

        const sql = yield* SqlClient.SqlClient
        const rows = yield* sql`SELECT * FROM echo_scans ORDER BY timestamp`
        expect(rows).toEqual([
          {
            site_name: "sas",
            channel: 0,
            timestamp: T0,
            total_echoes: 12.5,
            ionospheric_echoes: 8.25,
            ground_scatter_echoes: 4.25,
            record_count: 16,
            beam_count: 16,
            complete: 1
          },
          {
            site_name: "sas",
            channel: 0,
            timestamp: T0 + MINUTE,
            total_echoes: 1 / 3,
            ionospheric_echoes: 8.25,
            ground_scatter_echoes: 4.25,
            record_count: 16,
            beam_count: 16,
            complete: 0
          },
          {
            site_name: "sas",
            channel: 0,
            timestamp: T0 + 2 * MINUTE,
            total_echoes: 12.5,
            ionospheric_echoes: 8.25,
            ground_scatter_echoes: 4.25,
            record_count: 16,
            beam_count: 16,
            complete: 1
          }
        ])
      })))

    it.scoped("stores a batch larger than one INSERT statement", () =>
      withStore(Effect.gen(function*() {
        const store = yield* EchoStore
        const scans = Array.from({ length: 1_234 }, (_, i) => scan({ timestamp: T0 + i * MINUTE }))
        expect(yield* store.insertScans(scans)).toHaveLength(1_234)
        expect(yield* countRows).toBe(1_234)
      })))

    it.scoped("refuses a statement with a bad row as poison, storing none of that statement", () =>
      withStore(Effect.gen(function*() {
        const store = yield* EchoStore
        const scans = Array.from({ length: 400 }, (_, i) => scan({ timestamp: T0 + i * MINUTE }))
        // What each engine refuses: in SQLite NaN binds as NULL and breaks NOT NULL (PostgreSQL
        // stores NaN); in PostgreSQL a channel past SMALLINT is out of range (SQLite stores it).
        scans[250] = engine.dialect === "sqlite"
          ? scan({ timestamp: T0 + 250 * MINUTE, totalEchoes: Number.NaN })
          : scan({ timestamp: T0 + 250 * MINUTE, channel: 100_000 })
        const error = yield* Effect.flip(store.insertScans(scans))
        expect(error).toMatchObject({
          _tag: "EchoStoreError",
          operation: "insert",
          kind: "poison",
          code: engine.dialect === "sqlite" ? "SQLITE_CONSTRAINT_NOTNULL" : "22003"
        })
        expect(error.message).toMatch(engine.dialect === "sqlite" ? /NOT NULL/ : /out of range/)
        expect(yield* countRows).toBe(0)
      })))

    it.scoped("a complete scan replaces the incomplete row of the same start; nothing else is overwritten", () =>
      withStore(Effect.gen(function*() {
        const store = yield* EchoStore
        yield* store.insertScans([
          scan({ timestamp: T0, complete: false, recordCount: 5 }),
          scan({ timestamp: T0 + MINUTE })
        ])
        const whole = scan({ timestamp: T0, totalEchoes: 3 })
        expect(yield* store.insertScans([whole, scan({ timestamp: T0 + MINUTE, totalEchoes: 7 })])).toEqual([whole])
        expect(yield* store.insertScans([scan({ timestamp: T0, complete: false, recordCount: 2 })])).toEqual([])
        const points = Chunk.toReadonlyArray(
          yield* Stream.runCollect(store.seriesStream({ site: "sas", channel: 0, from: T0, to: T0 + 2 * MINUTE }))
        )
        expect(points.map((p) => [p.total_echoes, p.complete])).toEqual([[3, true], [12.5, true]])
      })))

    // SQLite's page limit stands in for a full disk; PostgreSQL has no per-database equivalent.
    it.scoped.skipIf(engine.dialect !== "sqlite")(
      "a full disk is a transient failure (SQLITE_FULL), and storing works again once there is room",
      () =>
        withStore(Effect.gen(function*() {
          const store = yield* EchoStore
          const sql = yield* SqlClient.SqlClient
          const pages = (yield* sql<{ page_count: number }>`PRAGMA page_count`)[0]!.page_count
          yield* sql.unsafe(`PRAGMA max_page_count = ${pages}`)
          const batch = Array.from(
            { length: 400 },
            (_, i) => scan({ timestamp: T0 + i * MINUTE, site: "x".repeat(200) })
          )
          const error = yield* Effect.flip(store.insertScans(batch))
          expect(error).toMatchObject({ operation: "insert", kind: "transient", code: "SQLITE_FULL" })
          yield* sql`PRAGMA max_page_count = 1073741823`
          expect(yield* store.insertScans(batch)).toHaveLength(400)
        }))
    )

    it.scoped("the integrity check passes on a sound database", () =>
      withStore(Effect.gen(function*() {
        yield* (yield* EchoStore).checkIntegrity()
      })))

    it.scoped("streams one site and channel over [from, to) in timestamp order, page by page", () =>
      withStore(Effect.gen(function*() {
        const store = yield* EchoStore
        yield* store.insertScans([
          ...Array.from({ length: 10 }, (_, i) => scan({ timestamp: T0 + (9 - i) * MINUTE, totalEchoes: 9 - i })),
          scan({ timestamp: T0 + MINUTE, channel: 1 }),
          scan({ timestamp: T0 + MINUTE, site: "pgr" })
        ])
        const query = { site: "sas", channel: 0, from: T0 + 2 * MINUTE, to: T0 + 8 * MINUTE }
        for (const pageRows of [1, 3, 6, 100]) {
          const points = Chunk.toReadonlyArray(yield* Stream.runCollect(store.seriesStream(query, pageRows)))
          expect(points.map((p) => p.timestamp)).toEqual([2, 3, 4, 5, 6, 7].map((m) => T0 + m * MINUTE))
          expect(points.map((p) => p.total_echoes)).toEqual([2, 3, 4, 5, 6, 7])
          expect(points.every((p) => p.complete)).toBe(true)
        }
        expect(
          Chunk.size(
            yield* Stream.runCollect(store.seriesStream({ ...query, from: T0 + 20 * MINUTE, to: T0 + 30 * MINUTE }))
          )
        ).toBe(0)
      })))

    it.scoped("finds the lowest channel with data in a range", () =>
      withStore(Effect.gen(function*() {
        const store = yield* EchoStore
        yield* store.insertScans([
          scan({ timestamp: T0, channel: 0 }),
          scan({ timestamp: T0 + 10 * MINUTE, channel: 2 }),
          scan({ timestamp: T0 + 11 * MINUTE, channel: 1 })
        ])
        expect(yield* store.lowestChannel("sas", T0, T0 + 20 * MINUTE)).toEqual(Option.some(0))
        expect(yield* store.lowestChannel("sas", T0 + MINUTE, T0 + 20 * MINUTE)).toEqual(Option.some(1))
        expect(yield* store.lowestChannel("pgr", T0, T0 + 20 * MINUTE)).toEqual(Option.none())
      })))

    it.scoped("deletes scans that started before the cutoff", () =>
      withStore(Effect.gen(function*() {
        const store = yield* EchoStore
        yield* store.insertScans([0, 1, 2, 3].map((m) => scan({ timestamp: T0 + m * MINUTE })))
        yield* store.deleteOlderThan(T0 + 2 * MINUTE)
        const points = yield* Stream.runCollect(
          store.seriesStream({ site: "sas", channel: 0, from: 0, to: T0 + MINUTE * 10 })
        )
        expect(Chunk.toReadonlyArray(points).map((p) => p.timestamp)).toEqual([T0 + 2 * MINUTE, T0 + 3 * MINUTE])
      })))
  })
}
