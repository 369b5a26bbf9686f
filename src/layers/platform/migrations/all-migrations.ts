/**
 * Every schema migration, in order. Ids are permanent: append, never renumber.
 */
import { Migrator } from "@effect/sql"
import echoScans from "./0001_echo_scans.js"
import archiveJournal from "./0002_archive_journal.js"
import archiveLeases from "./0003_archive_leases.js"

export const migrations = Migrator.fromRecord({
  "0001_echo_scans": echoScans,
  "0002_archive_journal": archiveJournal,
  "0003_archive_leases": archiveLeases
})
