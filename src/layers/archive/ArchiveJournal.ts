/**
 * The archive journal in the project's SQLite (tables from migration
 * 0002_archive_journal). Rows are written whole after each step, so a write
 * is a complete statement of where a file stands.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { HeldFile, InventoryQuery } from "../../domain/archive-inventory.js"
import { parseFileName } from "../../domain/file-name.js"
import { FileRow, RunRow } from "./journal-row.js"

export class JournalError extends Data.TaggedError("JournalError")<{
  readonly operation: string
  readonly reason: string
}> {
  override get message(): string {
    return `archive journal ${this.operation} failed: ${this.reason}`
  }
}

const asJournalError = (operation: string) => (error: SqlError.SqlError | ParseResult.ParseError) =>
  new JournalError({ operation, reason: error.message })

const FILE_COLUMNS = `institution, name, state, archive_name AS "archiveName", destination,
  source_size AS "sourceSize", source_mtime AS "sourceMtime", source_sha1 AS "sourceSha1", sha1,
  archived_sha1 AS "archivedSha1", archived_size AS "archivedSize", attempts, last_error AS "lastError",
  note, run_id AS "runId", first_seen_at AS "firstSeenAt", updated_at AS "updatedAt", tidied_at AS "tidiedAt"`

const RUN_COLUMNS = `run_id AS "runId", institution, started_at AS "startedAt", finished_at AS "finishedAt",
  outcome, listed, collected, duplicates, failures, conflicts, refused, error`

const decodeFiles = Schema.decodeUnknown(Schema.Array(FileRow))
const decodeRuns = Schema.decodeUnknown(Schema.Array(RunRow))

/** Per institution: its latest run and how many files sit in each end state. */
export interface InstitutionSummary {
  readonly institution: string
  readonly lastRun: RunRow | undefined
  readonly archived: number
  readonly duplicates: number
  readonly failed: number
  readonly conflicts: number
  readonly refused: number
}

export class ArchiveJournal extends Effect.Service<ArchiveJournal>()("superdarn-hub/ArchiveJournal", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const get = Effect.fn("ArchiveJournal.get")(function*(institution: string, name: string) {
      const rows = yield* sql`SELECT ${sql.literal(FILE_COLUMNS)} FROM archive_files
        WHERE institution = ${institution} AND name = ${name}`.pipe(
        Effect.flatMap(decodeFiles),
        Effect.mapError(asJournalError("get"))
      )
      return Option.fromNullable(rows[0])
    })

    const save = Effect.fn("ArchiveJournal.save")(function*(row: FileRow) {
      yield* sql`INSERT INTO archive_files ${
        sql.insert({
          institution: row.institution,
          name: row.name,
          state: row.state,
          archive_name: row.archiveName,
          destination: row.destination,
          source_size: row.sourceSize,
          source_mtime: row.sourceMtime,
          source_sha1: row.sourceSha1,
          sha1: row.sha1,
          archived_sha1: row.archivedSha1,
          archived_size: row.archivedSize,
          attempts: row.attempts,
          last_error: row.lastError,
          note: row.note,
          run_id: row.runId,
          first_seen_at: row.firstSeenAt,
          updated_at: row.updatedAt,
          tidied_at: row.tidiedAt
        })
      } ON CONFLICT (institution, name) DO UPDATE SET
        state = excluded.state, archive_name = excluded.archive_name, destination = excluded.destination,
        source_size = excluded.source_size, source_mtime = excluded.source_mtime,
        source_sha1 = excluded.source_sha1, sha1 = excluded.sha1, archived_sha1 = excluded.archived_sha1,
        archived_size = excluded.archived_size, attempts = excluded.attempts, last_error = excluded.last_error,
        note = excluded.note, run_id = excluded.run_id, updated_at = excluded.updated_at,
        tidied_at = excluded.tidied_at`.pipe(Effect.mapError(asJournalError("save")))
    })

    /** Files durably filed (or found already filed) whose source copy is not yet tidied. */
    const pendingTidy = Effect.fn("ArchiveJournal.pendingTidy")(function*(institution: string) {
      return yield* sql`SELECT ${sql.literal(FILE_COLUMNS)} FROM archive_files
        WHERE institution = ${institution} AND state IN ('archived', 'duplicate') AND tidied_at IS NULL
        ORDER BY name`.pipe(Effect.flatMap(decodeFiles), Effect.mapError(asJournalError("pendingTidy")))
    })

    const markTidied = Effect.fn("ArchiveJournal.markTidied")(
      function*(institution: string, names: ReadonlyArray<string>, at: number) {
        if (names.length === 0) return
        yield* sql`UPDATE archive_files SET tidied_at = ${at}, updated_at = ${at}
          WHERE institution = ${institution} AND ${sql.in("name", names)}`.pipe(
          Effect.mapError(asJournalError("markTidied"))
        )
      }
    )

    const files = Effect.fn("ArchiveJournal.files")(function*(institution: string) {
      return yield* sql`SELECT ${sql.literal(FILE_COLUMNS)} FROM archive_files
        WHERE institution = ${institution} ORDER BY name`.pipe(
        Effect.flatMap(decodeFiles),
        Effect.mapError(asJournalError("files"))
      )
    })

    /** SHA-1 of every file the journal has filed under `folder` (any institution), by path. */
    const filedIn = Effect.fn("ArchiveJournal.filedIn")(function*(folder: string) {
      const prefix = folder.endsWith("/") ? folder : `${folder}/`
      const rows = yield* sql<{ destination: string; sha1: string }>`
        SELECT destination, archived_sha1 AS sha1 FROM archive_files
        WHERE state = 'archived' AND archived_sha1 IS NOT NULL
          AND substr(destination, 1, ${prefix.length}) = ${prefix}`.pipe(Effect.mapError(asJournalError("filedIn")))
      return new Map(rows.map((row) => [row.destination, row.sha1]))
    })

    /**
     * Files filed in the archive for one radar and type whose data starts in
     * [fromMs, toMs), by start time. Names begin YYYYMMDD, so a range of
     * day-prefixes narrows in SQL (digits order alike under any collation);
     * the parsed name then decides exactly.
     */
    const held = Effect.fn("ArchiveJournal.held")(function*(query: InventoryQuery) {
      const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll("-", "")
      const firstDay = dayOf(query.fromMs)
      const afterLastDay = dayOf(Math.floor((query.toMs - 1) / 86_400_000) * 86_400_000 + 86_400_000)
      const rows = yield* sql`SELECT ${sql.literal(FILE_COLUMNS)} FROM archive_files
        WHERE state = 'archived' AND archive_name >= ${firstDay} AND archive_name < ${afterLastDay}
          AND archive_name LIKE ${`%.${query.radar}.%`}`.pipe(
        Effect.flatMap(decodeFiles),
        Effect.mapError(asJournalError("held"))
      )
      const files: Array<HeldFile> = []
      for (const row of rows) {
        const parsed = parseFileName(row.archiveName ?? row.name)
        if (Either.isLeft(parsed)) continue
        const { radar, startMs, type } = parsed.right
        if (radar !== query.radar || type !== query.type || startMs < query.fromMs || startMs >= query.toMs) continue
        files.push({
          name: row.archiveName ?? row.name,
          startMs,
          size: row.archivedSize,
          sha1: row.archivedSha1,
          filedAt: row.updatedAt,
          institution: row.institution
        })
      }
      return files.sort((a, b) => a.startMs - b.startMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    })

    const saveRun = Effect.fn("ArchiveJournal.saveRun")(function*(run: RunRow) {
      yield* sql`INSERT INTO archive_runs ${
        sql.insert({
          run_id: run.runId,
          institution: run.institution,
          started_at: run.startedAt,
          finished_at: run.finishedAt,
          outcome: run.outcome,
          listed: run.listed,
          collected: run.collected,
          duplicates: run.duplicates,
          failures: run.failures,
          conflicts: run.conflicts,
          refused: run.refused,
          error: run.error
        })
      } ON CONFLICT (run_id) DO UPDATE SET
        finished_at = excluded.finished_at, outcome = excluded.outcome, listed = excluded.listed,
        collected = excluded.collected, duplicates = excluded.duplicates, failures = excluded.failures,
        conflicts = excluded.conflicts, refused = excluded.refused, error = excluded.error`.pipe(
        Effect.mapError(asJournalError("saveRun"))
      )
    })

    const summary = Effect.fn("ArchiveJournal.summary")(function*(institutions: ReadonlyArray<string>) {
      const counts = yield* sql<{ institution: string; state: string; count: number }>`
        SELECT institution, state, COUNT(*) AS count FROM archive_files GROUP BY institution, state`.pipe(
        Effect.mapError(asJournalError("summary"))
      )
      const runs = yield* sql.unsafe(
        `SELECT ${RUN_COLUMNS} FROM archive_runs r
         WHERE started_at = (SELECT MAX(started_at) FROM archive_runs WHERE institution = r.institution)`
      ).pipe(Effect.flatMap(decodeRuns), Effect.mapError(asJournalError("summary")))
      const count = (institution: string, state: string) =>
        Number(counts.find((row) => row.institution === institution && row.state === state)?.count ?? 0)
      return institutions.map((institution): InstitutionSummary => ({
        institution,
        lastRun: runs.find((run) => run.institution === institution),
        archived: count(institution, "archived"),
        duplicates: count(institution, "duplicate"),
        failed: count(institution, "failed"),
        conflicts: count(institution, "conflict"),
        refused: count(institution, "refused")
      }))
    })

    /**
     * Take or renew `institution`'s lease for `holder` until `until`: granted
     * when free, expired at `now`, or already ours. Otherwise the current
     * holder and its expiry. One statement, so two takers cannot both win.
     */
    const takeLease = Effect.fn("ArchiveJournal.takeLease")(
      function*(institution: string, holder: string, now: number, until: number) {
        yield* sql`INSERT INTO archive_leases (institution, holder, expires_at) VALUES (${institution}, ${holder}, ${until})
          ON CONFLICT (institution) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
          WHERE archive_leases.expires_at <= ${now} OR archive_leases.holder = excluded.holder`.pipe(
          Effect.mapError(asJournalError("takeLease"))
        )
        const rows = yield* sql<{ holder: string; expiresAt: number }>`
          SELECT holder, expires_at AS "expiresAt" FROM archive_leases WHERE institution = ${institution}`.pipe(
          Effect.mapError(asJournalError("takeLease"))
        )
        const row = rows[0]
        return {
          granted: row?.holder === holder,
          holder: row?.holder ?? holder,
          expiresAt: Number(row?.expiresAt ?? until)
        }
      }
    )

    const releaseLease = Effect.fn("ArchiveJournal.releaseLease")(function*(institution: string, holder: string) {
      yield* sql`DELETE FROM archive_leases WHERE institution = ${institution} AND holder = ${holder}`.pipe(
        Effect.mapError(asJournalError("releaseLease"))
      )
    })

    return {
      get,
      save,
      pendingTidy,
      markTidied,
      files,
      filedIn,
      held,
      saveRun,
      summary,
      takeLease,
      releaseLease
    } as const
  })
}) {}
