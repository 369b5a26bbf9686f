/** `inbox`: a local upload folder that institutions push files into. */
import * as Schema from "effect/Schema"

export const InboxSourceConfig = Schema.Struct({
  kind: Schema.Literal("inbox"),
  /** The upload folder; only its top level is listed. */
  path: Schema.NonEmptyTrimmedString
})
export type InboxSourceConfig = typeof InboxSourceConfig.Type
