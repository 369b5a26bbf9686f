/** `local`: a mounted folder, read in place (also the test double for any source). */
import { Schema } from "effect"

export const LocalSourceConfig = Schema.Struct({
  kind: Schema.Literal("local"),
  /** Folder holding the files; only its top level is listed. */
  path: Schema.NonEmptyTrimmedString
})
export type LocalSourceConfig = typeof LocalSourceConfig.Type
