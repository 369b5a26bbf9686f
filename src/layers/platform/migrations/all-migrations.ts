/**
 * Every schema migration, in order. Ids are permanent: append, never renumber.
 */
import * as Migrator from "@effect/sql/Migrator"
import echoScans from "./0001_echo_scans.js"
import archiveJournal from "./0002_archive_journal.js"
import archiveLeases from "./0003_archive_leases.js"
import echoScansSeries from "./0004_echo_scans_series.js"

export const migrations = Migrator.fromRecord({
  "0001_echo_scans": echoScans,
  "0002_archive_journal": archiveJournal,
  "0003_archive_leases": archiveLeases,
  "0004_echo_scans_series": echoScansSeries
})
