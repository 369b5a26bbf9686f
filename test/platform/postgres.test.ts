/**
 * The PostgreSQL engine against a real server: the project's one set of
 * migrations applies, BIGINT columns read back as numbers (as from SQLite),
 * and a wrong URL fails with one message that never shows the password.
 */
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { postgresLayer, redactDatabaseUrl } from "../../src/layers/platform/postgres.js"
import { scopedPostgresDatabase } from "../support/postgres.js"
import { requirePostgres } from "../support/required-service.js"

const missing = await requirePostgres()

describe.skipIf(missing !== undefined)("PostgreSQL engine", () => {
  it.scoped("migrates a fresh database and reads BIGINT as numbers", () =>
    Effect.gen(function*() {
      const { url } = yield* scopedPostgresDatabase
      const context = yield* Layer.build(postgresLayer({ url }))
      const sql = SqlClient.SqlClient.pipe(Effect.provide(context))
      const rows = yield* Effect.flatMap(sql, (sql) =>
        sql<{ table_name: string }>`
          SELECT table_name FROM information_schema.tables
          WHERE table_schema = 'public' AND table_name IN ('echo_scans', 'archive_files', 'archive_runs')
          ORDER BY table_name`)
      expect(rows.map((r) => r.table_name)).toEqual(["archive_files", "archive_runs", "echo_scans"])

      const big = 1_764_500_000_123
      const read = yield* Effect.flatMap(sql, (sql) =>
        Effect.gen(function*() {
          yield* sql`INSERT INTO echo_scans (site_name, channel, timestamp, total_echoes, ionospheric_echoes,
            ground_scatter_echoes, record_count, beam_count, complete)
            VALUES ('sas', 1, ${big}, 10.5, 8, 2.5, 16, 16, 1)`
          return yield* sql<{ timestamp: unknown; n: unknown }>`
            SELECT timestamp, COUNT(*) OVER () AS n FROM echo_scans`
        }))
      expect(read).toEqual([{ timestamp: big, n: 1 }])
    }))

  it.scoped("a second start finds the migrations applied and changes nothing", () =>
    Effect.gen(function*() {
      const { url } = yield* scopedPostgresDatabase
      yield* Effect.scoped(Layer.build(postgresLayer({ url })))
      const context = yield* Layer.build(postgresLayer({ url }))
      const rows = yield* Effect.flatMap(SqlClient.SqlClient, (sql) =>
        sql<{ n: number }>`SELECT COUNT(*) AS n FROM effect_sql_migrations`).pipe(Effect.provide(context))
      expect(rows[0]!.n).toBeGreaterThanOrEqual(2)
    }))

  it.scoped("a refused login fails with the URL redacted", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        Layer.build(postgresLayer({ url: "postgres://nobody:s3cret@127.0.0.1:5432/no_such_database_here" }))
      )
      expect(Exit.isFailure(exit)).toBe(true)
      const text = String(Exit.isFailure(exit) ? exit.cause : "")
      expect(text).toContain("postgres://nobody:***@127.0.0.1:5432/no_such_database_here")
      expect(text).not.toContain("s3cret")
    }))
})

describe("redactDatabaseUrl", () => {
  it("hides the password and keeps the rest", () => {
    expect(redactDatabaseUrl("postgres://hub:pw@db.example:5432/hub")).toBe("postgres://hub:***@db.example:5432/hub")
    expect(redactDatabaseUrl("postgres://db.example/hub")).toBe("postgres://db.example/hub")
    expect(redactDatabaseUrl("not a url")).toBe("(an unparseable DATABASE_URL)")
  })
})
