/**
 * The PostgreSQL engine, chosen by `DATABASE_URL=postgres://…`: the same
 * migrations and the same queries as the embedded SQLite file, for a store
 * several processes share (ingest and edge roles).
 *
 * `pg` returns int8 (BIGINT, COUNT) as strings to keep 64-bit precision; every
 * BIGINT here is an epoch-millisecond time or a byte size, far inside 2^53, so
 * they are parsed as numbers and the stores read the same types from both
 * engines.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as PgMigrator from "@effect/sql-pg/PgMigrator"
import * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import pg from "pg"
import { describeUnknown } from "../../domain/unknown-error.js"
import { DatabaseOpenError } from "./database-open-error.js"
import { migrations } from "./migrations/all-migrations.js"

const INT8_OID = 20

const numericInt8: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID && format !== "binary"
      ? (text: string) => Number(text)
      : pg.types.getTypeParser(oid, format ?? "text")) as pg.CustomTypesConfig["getTypeParser"]
}

/** The URL without its password, fit for logs and error messages. */
export const redactDatabaseUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    if (parsed.password !== "") parsed.password = "***"
    return parsed.toString()
  } catch {
    return "(an unparseable DATABASE_URL)"
  }
}

export interface PostgresOptions {
  readonly url: string
  /** Pool size; the echo store writes in batches and reads a few windows at a time. */
  readonly maxConnections?: number
}

/** Connect to `url` and migrate it; fails with a DatabaseOpenError naming the redacted URL. */
export const postgresLayer = (options: PostgresOptions) => {
  const client = PgClient.layer({
    url: Redacted.make(options.url),
    types: numericInt8,
    connectTimeout: Duration.seconds(5),
    maxConnections: options.maxConnections ?? 8,
    applicationName: "superdarn-hub"
  })
  const migrator = PgMigrator.layer({ loader: migrations }).pipe(Layer.provide(NodeContext.layer))
  return migrator.pipe(
    Layer.provideMerge(client),
    Layer.mapError((cause) =>
      new DatabaseOpenError({
        path: redactDatabaseUrl(options.url),
        reason: describeUnknown(cause)
      })
    )
  )
}
