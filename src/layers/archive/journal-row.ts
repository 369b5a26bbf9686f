/** The journal's record of one file from one institution, and of one run. */
import * as Schema from "effect/Schema"

/**
 * The last step a file completed durably. A restarted collector resumes from
 * here; every step is safe to repeat.
 *   listed → downloaded → verified → compressed → publishing → staged → archived
 * with the end states duplicate, conflict, refused, blocked (on the community
 * blocklist: never fetched), and failed (retried).
 */
export const FileState = Schema.Literal(
  "listed",
  "downloaded",
  "verified",
  "compressed",
  "publishing",
  "staged",
  "archived",
  "duplicate",
  "conflict",
  "refused",
  "blocked",
  "failed"
)
export type FileState = typeof FileState.Type

const OptionalText = Schema.NullOr(Schema.String)
const OptionalNumber = Schema.NullOr(Schema.Number)

export const FileRow = Schema.Struct({
  institution: Schema.String,
  name: Schema.String,
  state: FileState,
  archiveName: OptionalText,
  /** Where the file was filed (archive or holding), or quarantined. */
  destination: OptionalText,
  sourceSize: OptionalNumber,
  sourceMtime: OptionalNumber,
  /** The hash the source published, if any. */
  sourceSha1: OptionalText,
  /** SHA-1 of the bytes as downloaded. */
  sha1: OptionalText,
  /** SHA-1 and size of the .bz2 as filed. */
  archivedSha1: OptionalText,
  archivedSize: OptionalNumber,
  attempts: Schema.Number,
  lastError: OptionalText,
  /** Why a file ended as it did (duplicate reason, date warning…). */
  note: OptionalText,
  runId: OptionalText,
  firstSeenAt: Schema.Number,
  updatedAt: Schema.Number,
  tidiedAt: OptionalNumber
})
export type FileRow = typeof FileRow.Type

export const RunOutcome = Schema.Literal("running", "ok", "failed", "low-disk")
export type RunOutcome = typeof RunOutcome.Type

export const RunRow = Schema.Struct({
  runId: Schema.String,
  institution: Schema.String,
  startedAt: Schema.Number,
  finishedAt: OptionalNumber,
  outcome: RunOutcome,
  listed: Schema.Number,
  collected: Schema.Number,
  duplicates: Schema.Number,
  failures: Schema.Number,
  conflicts: Schema.Number,
  refused: Schema.Number,
  error: OptionalText
})
export type RunRow = typeof RunRow.Type
