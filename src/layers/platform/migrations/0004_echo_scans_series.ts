/**
 * A covering index for `GET /echoes/`'s series read (issue 12): every column
 * the read selects, in the order it seeks and sorts by. Scans of all radars
 * arrive interleaved, so a 24 h window of one radar (1 440 rows at one scan a
 * minute) is spread over about as many table pages; through the unique index
 * alone each row costs a page read, and the window cost 4 ms of I/O where the
 * index walk itself takes 0.2 ms. Here a window is a few adjacent index
 * pages.
 *
 * SQLite has no INCLUDE: its index carries the values as trailing key
 * columns. PostgreSQL keys on the read's seek and carries the rest, which
 * keeps its inner pages small.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.onDialectOrElse({
    pg: () =>
      sql`CREATE INDEX echo_scans_series ON echo_scans (site_name, channel, timestamp)
          INCLUDE (total_echoes, ionospheric_echoes, ground_scatter_echoes, complete)`,
    orElse: () =>
      sql`CREATE INDEX echo_scans_series ON echo_scans
          (site_name, channel, timestamp, total_echoes, ionospheric_echoes, ground_scatter_echoes, complete)`
  })
})
