/**
 * The echo_scans table: batched inserts of closed scans, the time-series
 * reads behind `GET /echoes/`, and the retention delete. SqlClient only, in
 * SQL that SQLite and PostgreSQL both accept.
 */
import { SqlClient, SqlSchema } from "@effect/sql"
import { Chunk, Data, Effect, Option, Schema, Stream } from "effect"
import type { EchoScan } from "../streams/scan-window.js"

export class EchoStoreError extends Data.TaggedError("EchoStoreError")<{
  readonly operation: "insert" | "read" | "delete"
  readonly reason: string
}> {
  override get message(): string {
    return `echo store ${this.operation} failed: ${this.reason}`
  }
}

/** One point of an echo time series: a scan's start and its per-record means. */
export const EchoPoint = Schema.Struct({
  timestamp: Schema.Number,
  total_echoes: Schema.Number,
  ionospheric_echoes: Schema.Number,
  ground_scatter_echoes: Schema.Number
})
export type EchoPoint = typeof EchoPoint.Type

/** Scans of one site and channel with `from <= timestamp < to` (epoch ms). */
export interface SeriesQuery {
  readonly site: string
  readonly channel: number
  readonly from: number
  readonly to: number
}

const SeriesPage = Schema.Struct({
  site: Schema.String,
  channel: Schema.Number,
  from: Schema.Number,
  to: Schema.Number,
  limit: Schema.Number
})

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

    const page = SqlSchema.findAll({
      Request: SeriesPage,
      Result: EchoPoint,
      execute: (q) =>
        sql`SELECT timestamp, total_echoes, ionospheric_echoes, ground_scatter_echoes
            FROM echo_scans
            WHERE site_name = ${q.site} AND channel = ${q.channel} AND timestamp >= ${q.from} AND timestamp < ${q.to}
            ORDER BY timestamp
            LIMIT ${q.limit}`
    })

    /**
     * The series page by page (keyset on the unique timestamp), so any range
     * streams in constant memory and writers get the connection between pages.
     */
    const seriesStream = (query: SeriesQuery, pageRows: number = STREAM_PAGE_ROWS) =>
      Stream.paginateChunkEffect(query.from, (from) =>
        page({ ...query, from, limit: pageRows }).pipe(
          Effect.map((rows) => {
            const last = rows[rows.length - 1]
            const next = rows.length === pageRows && last !== undefined ? Option.some(last.timestamp + 1) : Option.none()
            return [Chunk.unsafeFromArray(rows as Array<EchoPoint>), next] as const
          }),
          Effect.mapError(failWith("read"))
        ))

    /** The lowest channel of `site` with a scan in [from, to), so stereo radars answer with their main channel. */
    const lowestChannel = Effect.fn("EchoStore.lowestChannel")(function*(site: string, from: number, to: number) {
      const rows = yield* sql<{ readonly channel: number }>`
        SELECT channel FROM echo_scans
        WHERE site_name = ${site} AND timestamp >= ${from} AND timestamp < ${to}
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
