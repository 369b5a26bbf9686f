/** `local`: a mounted folder, read in place (also the test double for any source). */
import * as Schema from "effect/Schema"

export const LocalSourceConfig = Schema.Struct({
  kind: Schema.Literal("local"),
  /** Folder holding the files; only its top level is listed. */
  path: Schema.NonEmptyTrimmedString
})
export type LocalSourceConfig = typeof LocalSourceConfig.Type
