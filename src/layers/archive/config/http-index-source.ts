/** `http-index`: a public web page listing files (Apache or nginx autoindex). */
import { Schema } from "effect"

const HttpUrl = Schema.NonEmptyTrimmedString.pipe(
  Schema.filter((text) => /^https?:\/\/[^\s/]+/.test(text) || "must be an http:// or https:// URL")
)

export const HttpIndexSourceConfig = Schema.Struct({
  kind: Schema.Literal("http-index"),
  /** The index page; files are fetched relative to it. */
  url: HttpUrl,
  /** Give up on one request (listing or download) after this long without completing. */
  timeoutSeconds: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.positive()), { default: () => 600 })
})
export type HttpIndexSourceConfig = typeof HttpIndexSourceConfig.Type
