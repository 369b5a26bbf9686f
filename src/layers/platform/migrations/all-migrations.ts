/**
 * Every schema migration, in order. Ids are permanent: append, never renumber.
 */
import { Migrator } from "@effect/sql"
import echoScans from "./0001_echo_scans.js"
import archiveJournal from "./0002_archive_journal.js"

export const migrations = Migrator.fromRecord({
  "0001_echo_scans": echoScans,
  "0002_archive_journal": archiveJournal
})
