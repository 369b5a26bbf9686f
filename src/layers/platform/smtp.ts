/**
 * SMTP settings and the mail transport built from them, shared by everything
 * that sends e-mail (the archive's run digests, the radar alerts).
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type nodemailer from "nodemailer"

export const SmtpSettings = Schema.Struct({
  host: Schema.NonEmptyTrimmedString,
  port: Schema.Number.pipe(Schema.int(), Schema.between(1, 65535)),
  secure: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  user: Schema.optional(Schema.String),
  password: Schema.optional(Schema.String)
})
export type SmtpSettings = typeof SmtpSettings.Type

export type SmtpTransport = ReturnType<typeof nodemailer.createTransport>

/** A transport for the scope; closed with it. */
export const smtpTransport = (smtp: SmtpSettings): Effect.Effect<SmtpTransport, never, Scope.Scope> =>
  Effect.acquireRelease(
    // nodemailer (400 kB of code) is loaded by the first transport, not by every process that could mail.
    Effect.map(Effect.promise(() => import("nodemailer")), ({ default: nodemailer }) =>
      nodemailer.createTransport({
        host: smtp.host,
        port: smtp.port,
        secure: smtp.secure,
        ...(smtp.user === undefined ? {} : { auth: { user: smtp.user, pass: smtp.password ?? "" } })
      })),
    (transport) => Effect.sync(() => transport.close())
  )
