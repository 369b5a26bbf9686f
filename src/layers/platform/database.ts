/**
 * The embedded SQLite database: one file, WAL, a busy timeout, and the
 * project's versioned migrations applied at start-up. Feature stores (echo
 * scans, the archive journal) depend on `SqlClient` only, so their SQL stays
 * dialect-neutral.
 *
 * Opening is complete only when a write succeeded: a file SQLite can read but
 * not write (created by root, opened by the service user) is refused at
 * start-up, with its owner and the fix, not at the first scan hours later.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqliteMigrator from "@effect/sql-sqlite-node/SqliteMigrator"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { describeUnknown } from "../../domain/unknown-error.js"
import { AppConfig } from "./AppConfig.js"
import { checkDatabaseFile, explainSqliteError } from "./database-file-check.js"
import { DatabaseOpenError } from "./database-open-error.js"
import { Deployment } from "./Deployment.js"
import { migrations } from "./migrations/all-migrations.js"

/** An SqlError's text and the driver's error under it, where SQLite says what is wrong. */
const sqliteText = (error: unknown): string => {
  const cause = (error as { cause?: unknown } | null)?.cause
  return cause === undefined ? describeUnknown(error) : `${describeUnknown(error)}: ${describeUnknown(cause)}`
}

/** Open `filename` (creating its folder), migrate it and prove it writable. */
export const databaseLayer = (filename: string) => {
  const client = Layer.unwrapEffect(
    Effect.map(
      Either.match(checkDatabaseFile(filename), { onLeft: Effect.fail, onRight: Effect.succeed }),
      () =>
        // sqlite-node caches a statement whose preparation failed for prepareCacheTTL
        // (10 min by default), so a transient lock at prepare time would keep one
        // write failing long after the lock is gone.
        SqliteClient.layer({ filename, prepareCacheTTL: "30 seconds" })
    )
  )
  const pragmas = Layer.effectDiscard(
    Effect.gen(function*() {
      const sql = yield* SqliteClient.SqliteClient
      yield* sql`PRAGMA busy_timeout = 5000`
      yield* sql`PRAGMA synchronous = NORMAL`
      yield* sql`PRAGMA foreign_keys = ON`
    })
  )
  const migrator = SqliteMigrator.layer({ loader: migrations }).pipe(Layer.provide(NodeContext.layer))
  // Rewriting user_version with its own value is a real write of the header
  // page that changes nothing: the smallest proof that writes will work.
  const writeCheck = Layer.effectDiscard(
    Effect.gen(function*() {
      const sql = yield* SqliteClient.SqliteClient
      const [row] = yield* sql<{ readonly user_version: number }>`PRAGMA user_version`
      yield* sql.unsafe(`PRAGMA user_version = ${Number(row?.user_version ?? 0)}`)
    })
  )
  return Layer.mergeAll(pragmas, writeCheck.pipe(Layer.provide(migrator)), migrator).pipe(
    Layer.provideMerge(client),
    Layer.mapError((cause) =>
      cause instanceof DatabaseOpenError ? cause : explainSqliteError(filename, sqliteText(cause))
    )
  )
}

/** PostgreSQL at `DATABASE_URL` when it is set, else the SQLite file at `DATABASE_PATH`. */
export const DatabaseLive = Layer.unwrapEffect(
  Effect.gen(function*() {
    const config = yield* AppConfig
    const { databaseUrl } = yield* Deployment
    return Option.match(databaseUrl, {
      onNone: () => databaseLayer(config.databasePath),
      // The PostgreSQL driver is loaded only when it is used: it is most of a megabyte of code.
      onSome: (url) =>
        Layer.unwrapEffect(
          Effect.map(Effect.promise(() => import("./postgres.js")), ({ postgresLayer }) => postgresLayer({ url }))
        )
    })
  })
).pipe(Layer.provide(Deployment.Default))
