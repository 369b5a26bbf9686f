/** `http-index`: a public web page listing files (Apache or nginx autoindex). */
import * as Schema from "effect/Schema"

const HttpUrl = Schema.NonEmptyTrimmedString.pipe(
  Schema.filter((text) => /^https?:\/\/[^\s/]+/.test(text) || "must be an http:// or https:// URL")
)
const PositiveInt = Schema.Number.pipe(Schema.int(), Schema.positive())

export const HttpIndexSourceConfig = Schema.Struct({
  kind: Schema.Literal("http-index"),
  /** The index page; files are fetched relative to it, and redirects are followed only within its origin. */
  url: HttpUrl,
  /** Give up on one request (listing or download) after this long in total, however steadily bytes arrive. */
  timeoutSeconds: Schema.optionalWith(PositiveInt, { default: () => 600 }),
  /** Give up on one request after this long without a byte. */
  idleTimeoutSeconds: Schema.optionalWith(PositiveInt, { default: () => 60 }),
  /** A file larger than this is abandoned mid-transfer, whatever Content-Length said. */
  maxDownloadMegabytes: Schema.optionalWith(PositiveInt, { default: () => 2048 })
})
export type HttpIndexSourceConfig = typeof HttpIndexSourceConfig.Type
