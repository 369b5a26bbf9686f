/**
 * The archive collector's journal: one row per file per institution (its
 * state, hashes, sizes, attempts, last error) and one row per run.
 *
 * Times (epoch milliseconds) and sizes are BIGINT: SQLite stores them the same
 * as INTEGER, and PostgreSQL's INTEGER is 32 bits, too small for either.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE archive_files (
    institution TEXT NOT NULL,
    name TEXT NOT NULL,
    state TEXT NOT NULL,
    archive_name TEXT,
    destination TEXT,
    source_size BIGINT,
    source_mtime BIGINT,
    source_sha1 TEXT,
    sha1 TEXT,
    archived_sha1 TEXT,
    archived_size BIGINT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    note TEXT,
    run_id TEXT,
    first_seen_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    tidied_at BIGINT,
    PRIMARY KEY (institution, name)
  )`
  yield* sql`CREATE INDEX archive_files_state ON archive_files (institution, state)`
  yield* sql`CREATE TABLE archive_runs (
    run_id TEXT PRIMARY KEY,
    institution TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    outcome TEXT NOT NULL,
    listed INTEGER NOT NULL DEFAULT 0,
    collected INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    conflicts INTEGER NOT NULL DEFAULT 0,
    refused INTEGER NOT NULL DEFAULT 0,
    error TEXT
  )`
  yield* sql`CREATE INDEX archive_runs_institution ON archive_runs (institution, started_at)`
})
