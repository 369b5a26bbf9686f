/**
 * The echo_scans table: inserts of closed scans, the time-series reads behind
 * `GET /echoes/`, the retention delete and the start-up integrity check.
 * SqlClient only, in SQL that SQLite and PostgreSQL both accept (dialects
 * differ only where `onDialectOrElse` says so). The same reads also run in
 * the query workers (`echo-query-worker.ts`), in the same SQL.
 *
 * Every failure is an `EchoStoreError`, never a defect, and says whether
 * retrying can help: a full disk, a lock or an I/O error passes ("transient"),
 * a row the schema refuses never will ("poison").
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { describeUnknown } from "../../domain/unknown-error.js"
import type { EchoScan } from "../../streams/scan-window.js"

/** Transient failures are retried; a poison batch is split until the bad row is found. */
export type EchoStoreFailureKind = "transient" | "poison"

export class EchoStoreError extends Data.TaggedError("EchoStoreError")<{
  readonly operation: "insert" | "read" | "delete" | "check"
  readonly kind: EchoStoreFailureKind
  /** The driver's code (`SQLITE_FULL`, a PostgreSQL SQLSTATE), when it gave one. */
  readonly code: string | undefined
  readonly reason: string
}> {
  override get message(): string {
    return `echo store ${this.operation} failed: ${this.reason}${this.code === undefined ? "" : ` (${this.code})`}`
  }
}

/** One point of an echo time series: a scan's start (epoch ms), its per-record means and whether it was complete. */
export interface EchoPoint {
  readonly timestamp: number
  readonly total_echoes: number
  readonly ionospheric_echoes: number
  readonly ground_scatter_echoes: number
  readonly complete: boolean
}

/** Scans of one site and channel with `from <= timestamp < to` (epoch ms). */
export interface SeriesQuery {
  readonly site: string
  readonly channel: number
  readonly from: number
  readonly to: number
  /** Complete scans only. */
  readonly completeOnly?: boolean
}

/**
 * A series statement's window: a given channel, or `"lowest"`, the lowest
 * channel of the site with a scan in the window, found by the same statement
 * (so a request without a channel is still one query).
 */
export interface SeriesWindow extends Omit<SeriesQuery, "channel"> {
  readonly channel: number | "lowest"
}

/** Rows per INSERT statement: 9 parameters each stays far below SQLite's 32766 limit. */
export const ROWS_PER_STATEMENT = 500

/** Rows per page of a streamed read: bounds memory whatever the range. */
export const STREAM_PAGE_ROWS = 2_000

/**
 * SQLite result codes (better-sqlite3's `code`) and PostgreSQL SQLSTATE
 * classes that a retry can never cure: the row itself is refused.
 */
const POISON_CODE = /^(SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)|2[23]\d{3})/

const codeOf = (cause: unknown): string | undefined => {
  const code = typeof cause === "object" && cause !== null ? (cause as { readonly code?: unknown }).code : undefined
  return typeof code === "string" ? code : undefined
}

/** What a driver failure means for the caller; `SqlError` keeps the driver's error as its cause. */
export const echoStoreError = (operation: EchoStoreError["operation"], failure: unknown): EchoStoreError => {
  const cause = typeof failure === "object" && failure !== null && "cause" in failure ? failure.cause : failure
  const code = codeOf(cause) ?? codeOf(failure)
  // better-sqlite3 throws TypeError/RangeError for a value it cannot bind.
  const unbindable = cause instanceof TypeError || cause instanceof RangeError
  const reason = cause instanceof Error ? cause.message : describeUnknown(failure)
  return new EchoStoreError({
    operation,
    kind: unbindable || (code !== undefined && POISON_CODE.test(code)) ? "poison" : "transient",
    code,
    reason
  })
}

/** Typed failure for every way a statement can fail, defects included (the SQL client dies on a failed COMMIT). */
const typed = (operation: EchoStoreError["operation"]) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  effect.pipe(
    Effect.mapError((error) => error instanceof EchoStoreError ? error : echoStoreError(operation, error)),
    Effect.catchAllDefect((defect) => Effect.fail(echoStoreError(operation, defect)))
  )

/** A page size as SQL text: a whole number of at least one row. */
const pageLimit = (rows: number): number => Math.max(1, Math.floor(rows))

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

type StoredRow = ReturnType<typeof toRow>

const fromRow = (row: StoredRow): EchoScan => ({
  site: String(row.site_name),
  channel: Number(row.channel),
  timestamp: Number(row.timestamp),
  totalEchoes: Number(row.total_echoes),
  ionosphericEchoes: Number(row.ionospheric_echoes),
  groundScatterEchoes: Number(row.ground_scatter_echoes),
  recordCount: Number(row.record_count),
  beamCount: Number(row.beam_count),
  complete: Number(row.complete) === 1
})

export class EchoStore extends Effect.Service<EchoStore>()("superdarn-hub/EchoStore", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /**
     * Stores scans, one INSERT per `ROWS_PER_STATEMENT` (each atomic on its
     * own: no surrounding transaction, whose failed COMMIT would leave the
     * connection inside it). A scan whose (site, channel, timestamp) is
     * already stored is skipped, so a replay never counts twice and a retry
     * after a partial failure stores only what is missing, except that a
     * complete scan replaces an incomplete one (the partial row a restart
     * mid-scan left, when the radar replays the whole scan). Returns the rows
     * the statement wrote, as the database stored them.
     */
    const insertScans = Effect.fn("EchoStore.insertScans")(function*(scans: ReadonlyArray<EchoScan>) {
      if (scans.length === 0) return [] as ReadonlyArray<EchoScan>
      const statements = Chunk.chunksOf(Chunk.fromIterable(scans.map(toRow)), ROWS_PER_STATEMENT)
      const stored = yield* Effect.forEach(
        statements,
        (rows) =>
          sql<StoredRow>`INSERT INTO echo_scans ${sql.insert(Chunk.toReadonlyArray(rows) as Array<StoredRow>)}
            ON CONFLICT (site_name, channel, timestamp) DO UPDATE SET
              total_echoes = excluded.total_echoes, ionospheric_echoes = excluded.ionospheric_echoes,
              ground_scatter_echoes = excluded.ground_scatter_echoes, record_count = excluded.record_count,
              beam_count = excluded.beam_count, complete = excluded.complete
            WHERE echo_scans.complete = 0 AND excluded.complete = 1
            RETURNING site_name, channel, timestamp, total_echoes, ionospheric_echoes, ground_scatter_echoes,
              record_count, beam_count, complete`
      )
      return stored.flat().map(fromRow)
    }, typed("insert"))

    /**
     * The read statements, built in one place: the methods below run them on
     * this client, and `EchoQueries` compiles the same statements for its
     * worker connections. Each selects value rows whose columns are NOT NULL
     * and typed by the migration, so they are read positionally without a
     * per-row Schema decode (which costs more than the query itself on a
     * 30-day export): `[timestamp, total, ionospheric, ground scatter, complete]`.
     * The series reads only columns of the covering index `echo_scans_series`
     * (migration 0004): a window's rows sit together in the index, while in
     * the table they are spread over as many pages as there are rows.
     *
     * `limit` (a page of a streamed read; none reads the whole window) is
     * written into the SQL, not bound: SQLite's planner weighs a bound LIMIT,
     * so every new binding of it expires the prepared statement and the next
     * step compiles it again (about 0.15 ms a query).
     */
    const seriesStatement = (query: SeriesWindow, from: number, limit?: number) =>
      sql`SELECT timestamp, total_echoes, ionospheric_echoes, ground_scatter_echoes, complete
          FROM echo_scans
          WHERE site_name = ${query.site}
            AND channel = ${
        query.channel === "lowest"
          ? sql`(${lowestChannelStatement(query.site, query.from, query.to)})`
          : query.channel
      }
            AND timestamp >= ${from} AND timestamp < ${query.to}
            AND complete >= ${query.completeOnly === true ? 1 : 0}
          ORDER BY timestamp${limit === undefined ? sql.literal("") : sql.literal(` LIMIT ${pageLimit(limit)}`)}`

    /**
     * The lowest channel of `site` with a scan in [from, to), so stereo radars
     * answer with their main channel. The recursive CTE walks the site's
     * distinct channels with one index seek each (a plain ORDER BY channel
     * would scan every row of the lower channels outside the range), then
     * probes the range per channel, again by index.
     */
    const lowestChannelStatement = (site: string, from: number, to: number) =>
      sql`WITH RECURSIVE channels (channel) AS (
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

    /** One row when any scan of `site` was ever stored (one index seek). */
    const siteStatement = (site: string) => sql`SELECT 1 FROM echo_scans WHERE site_name = ${site} LIMIT 1`

    const page = (query: SeriesQuery, from: number, limit: number) =>
      seriesStatement(query, from, limit).values.pipe(
        Effect.map((rows) => {
          const points = new Array<EchoPoint>(rows.length)
          for (let i = 0; i < rows.length; i++) {
            const row = rows[i]!
            points[i] = {
              timestamp: Number(row[0]),
              total_echoes: Number(row[1]),
              ionospheric_echoes: Number(row[2]),
              ground_scatter_echoes: Number(row[3]),
              complete: Number(row[4]) === 1
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
            const next = rows.length === pageRows && last !== undefined
              ? Option.some(last.timestamp + 1)
              : Option.none()
            return [Chunk.unsafeFromArray(rows), next] as const
          }),
          typed("read")
        ))

    /** See `lowestChannelStatement`. */
    const lowestChannel = Effect.fn("EchoStore.lowestChannel")(function*(site: string, from: number, to: number) {
      const rows = yield* lowestChannelStatement(site, from, to).values
      return Option.map(Option.fromNullable(rows[0]), (row) => Number(row[0]))
    }, typed("read"))

    /** Whether any scan of `site` was ever stored. */
    const hasSite = Effect.fn("EchoStore.hasSite")(function*(site: string) {
      return (yield* siteStatement(site).values).length > 0
    }, typed("read"))

    /** Deletes every scan that started before `cutoff` (epoch ms), in one statement. */
    const deleteOlderThan = Effect.fn("EchoStore.deleteOlderThan")(function*(cutoff: number) {
      yield* sql`DELETE FROM echo_scans WHERE timestamp < ${cutoff}`
    }, typed("delete"))

    /**
     * SQLite's quick integrity check (pages, not index contents: fast enough
     * for start-up); other databases check themselves. Fails with what the
     * check reported.
     */
    const checkIntegrity = Effect.fn("EchoStore.checkIntegrity")(function*() {
      const problems = yield* sql.onDialectOrElse({
        sqlite: () =>
          Effect.map(
            sql<{ readonly quick_check: string }>`PRAGMA quick_check`,
            (rows) => rows.map((row) => String(Object.values(row)[0])).filter((line) => line !== "ok")
          ),
        orElse: () => Effect.succeed([] as Array<string>)
      })
      if (problems.length > 0) {
        return yield* Effect.fail(
          new EchoStoreError({
            operation: "check",
            kind: "transient",
            code: "SQLITE_CORRUPT",
            reason: problems.slice(0, 3).join("; ")
          })
        )
      }
    }, typed("check"))

    return {
      insertScans,
      seriesStream,
      lowestChannel,
      hasSite,
      deleteOlderThan,
      checkIntegrity,
      statements: { series: seriesStatement, lowestChannel: lowestChannelStatement, site: siteStatement }
    } as const
  })
}) {}
