/** `ftp`: an FTP server publishing a `<file>.sha1` sidecar beside each file. */
import * as Schema from "effect/Schema"

export const FtpSourceConfig = Schema.Struct({
  kind: Schema.Literal("ftp"),
  host: Schema.NonEmptyTrimmedString,
  port: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.between(1, 65535)), { default: () => 21 }),
  user: Schema.optionalWith(Schema.String, { default: () => "anonymous" }),
  password: Schema.optionalWith(Schema.String, { default: () => "anonymous@" }),
  /** Remote folder holding the files. */
  path: Schema.optionalWith(Schema.String, { default: () => "/" }),
  /** Explicit FTPS (AUTH TLS). */
  secure: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  timeoutSeconds: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.positive()), { default: () => 60 })
})
export type FtpSourceConfig = typeof FtpSourceConfig.Type
