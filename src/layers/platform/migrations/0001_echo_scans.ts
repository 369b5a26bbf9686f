/**
 * One row per closed radar scan (issue 5). Plain SQL that SQLite and
 * PostgreSQL both accept: `timestamp` is epoch milliseconds UTC (BIGINT),
 * `complete` is 0/1 (SMALLINT, since SQLite has no boolean to bind), the
 * per-record means are DOUBLE PRECISION so the fraction is kept.
 *
 * The unique index on (site_name, channel, timestamp) is both the key that
 * stops a replayed scan from being counted twice and the index every query
 * uses: each reads one site and channel over a time range.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE echo_scans (
      site_name TEXT NOT NULL,
      channel SMALLINT NOT NULL,
      timestamp BIGINT NOT NULL,
      total_echoes DOUBLE PRECISION NOT NULL,
      ionospheric_echoes DOUBLE PRECISION NOT NULL,
      ground_scatter_echoes DOUBLE PRECISION NOT NULL,
      record_count INTEGER NOT NULL,
      beam_count INTEGER NOT NULL,
      complete SMALLINT NOT NULL CHECK (complete IN (0, 1))
    )
  `
  yield* sql`CREATE UNIQUE INDEX echo_scans_site_channel_time ON echo_scans (site_name, channel, timestamp)`
})
