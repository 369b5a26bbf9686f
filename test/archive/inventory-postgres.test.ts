/** `ArchiveJournal.held` on PostgreSQL: the same files as on SQLite (portable SQL, any collation). */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { ArchiveJournal } from "../../src/layers/archive/ArchiveJournal.js"
import type { FileRow } from "../../src/layers/archive/journal-row.js"
import { postgresLayer } from "../../src/layers/platform/postgres.js"
import { scopedPostgresDatabase } from "../support/postgres.js"
import { requirePostgres } from "../support/required-service.js"

const missing = await requirePostgres()

const AT = Date.parse("2026-11-20T12:00:00Z")

const row = (name: string, state: FileRow["state"] = "archived"): FileRow => ({
  institution: "vt",
  name,
  state,
  archiveName: name,
  destination: `/archive/${name}`,
  sourceSize: 10,
  sourceMtime: AT,
  sourceSha1: null,
  sha1: null,
  archivedSha1: "b".repeat(40),
  archivedSize: 5_368_709_120,
  attempts: 1,
  lastError: null,
  note: null,
  runId: "run-1",
  firstSeenAt: AT,
  updatedAt: AT,
  tidiedAt: null
})

describe.skipIf(missing !== undefined)("archive inventory on PostgreSQL", () => {
  it.scoped("held: archived files of the radar and type starting in [from, to), by start time", () =>
    Effect.gen(function*() {
      const { url } = yield* scopedPostgresDatabase
      const context = yield* Layer.build(ArchiveJournal.Default.pipe(Layer.provide(postgresLayer({ url }))))
      const journal = Context.get(context, ArchiveJournal)
      for (
        const file of [
          row("20261130.2200.00.sas.rawacf.bz2"),
          row("20261101.0000.00.sas.rawacf.bz2"),
          row("20261101.0200.00.sas.rawacf.bz2", "failed"),
          row("20261101.0400.00.pgr.rawacf.bz2"),
          row("20261101.0600.00.sas.a.fitacf.bz2"),
          row("20261031.2200.00.sas.rawacf.bz2"),
          row("20261201.0000.00.sas.rawacf.bz2")
        ]
      ) yield* journal.save(file)
      const held = yield* journal.held({
        radar: "sas",
        type: "rawacf",
        fromMs: Date.parse("2026-11-01T00:00:00Z"),
        toMs: Date.parse("2026-12-01T00:00:00Z")
      })
      expect(held.map((file) => file.name)).toEqual([
        "20261101.0000.00.sas.rawacf.bz2",
        "20261130.2200.00.sas.rawacf.bz2"
      ])
      expect(held[0]).toEqual({
        name: "20261101.0000.00.sas.rawacf.bz2",
        startMs: Date.parse("2026-11-01T00:00:00Z"),
        size: 5_368_709_120,
        sha1: "b".repeat(40),
        filedAt: AT,
        institution: "vt"
      })
    }))
})

if (missing !== undefined) {
  describe("archive inventory on PostgreSQL", () => {
    it.skip(`skipped: ${missing}`, () => {})
  })
}
