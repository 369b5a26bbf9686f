/**
 * The echo_scans table: batched inserts of closed scans, the time-series
 * reads behind `GET /echoes/`, and the retention delete. SqlClient only, in
 * SQL that SQLite and PostgreSQL both accept.
 */
import { SqlClient } from "@effect/sql"
import { Chunk, Data, Effect, Option, Stream } from "effect"
import type { EchoScan } from "../../streams/scan-window.js"

export class EchoStoreError extends Data.TaggedError("EchoStoreError")<{
  readonly operation: "insert" | "read" | "delete"
  readonly reason: string
}> {
  override get message(): string {
    return `echo store ${this.operation} failed: ${this.reason}`
  }
}

/** One point of an echo time series: a scan's start (epoch ms) and its per-record means. */
export interface EchoPoint {
  readonly timestamp: number
  readonly total_echoes: number
  readonly ionospheric_echoes: number
  readonly ground_scatter_echoes: number
}

/** Scans of one site and channel with `from <= timestamp < to` (epoch ms). */
export interface SeriesQuery {
  readonly site: string
  readonly channel: number
  readonly from: number
  readonly to: number
}

/** Rows per INSERT statement: 9 parameters each stays far below SQLite's 32766 limit. */
const ROWS_PER_STATEMENT = 500

/** Rows per page of a streamed read: bounds memory whatever the range. */
export const STREAM_PAGE_ROWS = 2_000

const failWith = (operation: EchoStoreError["operation"]) => (cause: { readonly message: string }) =>
  new EchoStoreError({ operation, reason: cause.message })

const toRow = (scan: EchoScan) => ({
  site_name: scan.site,
  channel: scan.channel,
  timestamp: scan.timestamp,
  total_echoes: scan.totalEchoes,
  ionospheric_echoes: scan.ionosphericEchoes,
  ground_scatter_echoes: scan.groundScatterEchoes,
  record_count: scan.recordCount,
  beam_count: scan.beamCount,
  complete: scan.complete ? 1 : 0
})

export class EchoStore extends Effect.Service<EchoStore>()("superdarn-hub/EchoStore", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /**
     * Stores a batch in one transaction. A scan whose (site, channel,
     * timestamp) is already stored is skipped, so a replay never counts twice.
     * Returns how many rows were new.
     */
    const insertScans = Effect.fn("EchoStore.insertScans")(function*(scans: ReadonlyArray<EchoScan>) {
      if (scans.length === 0) return 0
      const statements = Chunk.chunksOf(Chunk.fromIterable(scans.map(toRow)), ROWS_PER_STATEMENT)
      const inserted = yield* sql.withTransaction(
        Effect.forEach(statements, (rows) =>
          sql`INSERT INTO echo_scans ${sql.insert(Chunk.toReadonlyArray(rows) as Array<ReturnType<typeof toRow>>)}
              ON CONFLICT (site_name, channel, timestamp) DO NOTHING
              RETURNING timestamp`.pipe(Effect.map((returned) => returned.length)))
      )
      return inserted.reduce((sum, n) => sum + n, 0)
    }, Effect.mapError(failWith("insert")))

    /**
     * One page as value arrays: the columns are NOT NULL and typed by the
     * migration, so rows are read positionally without a per-row Schema
     * decode, which costs more than the query itself on a 30-day export.
     */
    const page = (query: SeriesQuery, from: number, limit: number) =>
      sql`SELECT timestamp, total_echoes, ionospheric_echoes, ground_scatter_echoes
          FROM echo_scans
          WHERE site_name = ${query.site} AND channel = ${query.channel} AND timestamp >= ${from} AND timestamp < ${query.to}
          ORDER BY timestamp
          LIMIT ${limit}`.values.pipe(
        Effect.map((rows) => {
          const points = new Array<EchoPoint>(rows.length)
          for (let i = 0; i < rows.length; i++) {
            const row = rows[i]!
            points[i] = {
              timestamp: Number(row[0]),
              total_echoes: Number(row[1]),
              ionospheric_echoes: Number(row[2]),
              ground_scatter_echoes: Number(row[3])
            }
          }
          return points
        })
      )

    /**
     * The series page by page (keyset on the unique timestamp), so any range
     * streams in constant memory and writers get the connection between pages.
     */
    const seriesStream = (query: SeriesQuery, pageRows: number = STREAM_PAGE_ROWS) =>
      Stream.paginateChunkEffect(query.from, (from) =>
        page(query, from, pageRows).pipe(
          Effect.map((rows) => {
            const last = rows[rows.length - 1]
            const next = rows.length === pageRows && last !== undefined ? Option.some(last.timestamp + 1) : Option.none()
            return [Chunk.unsafeFromArray(rows), next] as const
          }),
          Effect.mapError(failWith("read"))
        ))

    /**
     * The lowest channel of `site` with a scan in [from, to), so stereo radars
     * answer with their main channel. The recursive CTE walks the site's
     * distinct channels with one index seek each (a plain ORDER BY channel
     * would scan every row of the lower channels outside the range), then
     * probes the range per channel, again by index.
     */
    const lowestChannel = Effect.fn("EchoStore.lowestChannel")(function*(site: string, from: number, to: number) {
      const rows = yield* sql<{ readonly channel: number }>`
        WITH RECURSIVE channels (channel) AS (
          SELECT MIN(channel) FROM echo_scans WHERE site_name = ${site}
          UNION ALL
          SELECT (SELECT MIN(e.channel) FROM echo_scans e WHERE e.site_name = ${site} AND e.channel > channels.channel)
          FROM channels WHERE channels.channel IS NOT NULL
        )
        SELECT channel FROM channels
        WHERE channel IS NOT NULL AND EXISTS (
          SELECT 1 FROM echo_scans e
          WHERE e.site_name = ${site} AND e.channel = channels.channel AND e.timestamp >= ${from} AND e.timestamp < ${to}
        )
        ORDER BY channel
        LIMIT 1`
      return Option.map(Option.fromNullable(rows[0]), (row) => Number(row.channel))
    }, Effect.mapError(failWith("read")))

    /** Deletes every scan that started before `cutoff` (epoch ms), in one statement. */
    const deleteOlderThan = Effect.fn("EchoStore.deleteOlderThan")(function*(cutoff: number) {
      yield* sql`DELETE FROM echo_scans WHERE timestamp < ${cutoff}`
    }, Effect.mapError(failWith("delete")))

    return { insertScans, seriesStream, lowestChannel, deleteOlderThan } as const
  })
}) {}
