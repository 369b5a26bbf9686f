/**
 * The archive journal on PostgreSQL (DATABASE_URL), as collectors on several
 * machines share it: the same rows, states and runs read back as from SQLite.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Option } from "effect"
import { ArchiveJournal } from "../../src/layers/archive/ArchiveJournal.js"
import type { FileRow, RunRow } from "../../src/layers/archive/journal-row.js"
import { postgresLayer } from "../../src/layers/platform/postgres.js"
import { scopedPostgresDatabase } from "../support/postgres.js"
import { requirePostgres } from "../support/required-service.js"

const missing = await requirePostgres()

const row = (name: string, state: FileRow["state"], at: number): FileRow => ({
  institution: "vt",
  name,
  state,
  archiveName: `${name}.bz2`,
  destination: null,
  sourceSize: 5_368_709_120,
  sourceMtime: at - 1000,
  sourceSha1: null,
  sha1: "da39a3ee5e6b4b0d3255bfef95601890afd80709",
  archivedSha1: null,
  archivedSize: null,
  attempts: 1,
  lastError: null,
  note: null,
  runId: "run-1",
  firstSeenAt: at,
  updatedAt: at,
  tidiedAt: null
})

describe.skipIf(missing !== undefined)("archive journal on PostgreSQL", () => {
  it.scoped("saves, updates and reads files and runs, with times and sizes past 32 bits", () =>
    Effect.gen(function*() {
      const { url } = yield* scopedPostgresDatabase
      const context = yield* Layer.build(ArchiveJournal.Default.pipe(Layer.provide(postgresLayer({ url }))))
      const journal = Context.get(context, ArchiveJournal)
      const at = 1_764_500_000_000
      const name = "20261130.0000.00.sas.rawacf"
      yield* journal.save(row(name, "downloaded", at))
      yield* journal.save({ ...row(name, "archived", at), updatedAt: at + 5000 })
      const saved = Option.getOrThrow(yield* journal.get("vt", name))
      expect(saved).toMatchObject({ state: "archived", sourceSize: 5_368_709_120, updatedAt: at + 5000 })

      const run: RunRow = {
        runId: "run-1",
        institution: "vt",
        startedAt: at,
        finishedAt: at + 60_000,
        outcome: "ok",
        listed: 1,
        collected: 1,
        duplicates: 0,
        failures: 0,
        conflicts: 0,
        refused: 0,
        error: null
      }
      yield* journal.saveRun(run)
      const [summary] = yield* journal.summary(["vt"])
      expect(summary).toMatchObject({ institution: "vt", archived: 1, lastRun: { runId: "run-1", outcome: "ok" } })
    }))
})
