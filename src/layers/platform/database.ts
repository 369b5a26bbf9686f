/**
 * The embedded SQLite database: one file, WAL, a busy timeout, and the
 * project's versioned migrations applied at start-up. Feature stores (echo
 * scans, the archive journal) depend on `SqlClient` only, so their SQL stays
 * dialect-neutral.
 */
import { NodeContext } from "@effect/platform-node"
import { SqliteClient, SqliteMigrator } from "@effect/sql-sqlite-node"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { AppConfig } from "./AppConfig.js"
import { migrations } from "./migrations/all-migrations.js"
import { DatabaseOpenError } from "./database-open-error.js"

/** Open `filename` (creating its folder) and migrate it. */
export const databaseLayer = (filename: string) => {
  const client = Layer.unwrapEffect(
    Effect.try({
      try: () => {
        if (filename !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true })
        // sqlite-node caches a statement whose preparation failed for prepareCacheTTL
        // (10 min by default), so a transient lock at prepare time would keep one
        // write failing long after the lock is gone.
        return SqliteClient.layer({ filename, prepareCacheTTL: "30 seconds" })
      },
      catch: (cause) => new DatabaseOpenError({ path: filename, reason: String(cause) })
    })
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
  return Layer.mergeAll(pragmas, migrator).pipe(
    Layer.provideMerge(client),
    Layer.mapError((cause) =>
      cause instanceof DatabaseOpenError ? cause : new DatabaseOpenError({ path: filename, reason: String(cause) })
    )
  )
}

/** The database at `DATABASE_PATH`. */
export const DatabaseLive = Layer.unwrapEffect(
  Effect.map(AppConfig, (config) => databaseLayer(config.databasePath))
)
