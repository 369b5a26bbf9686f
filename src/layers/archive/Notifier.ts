/**
 * Sends each run's digest: always to the log, and by e-mail when SMTP is
 * configured. A failed e-mail is logged, never fails the run.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { smtpTransport } from "../platform/smtp.js"
import type { NotifyConfig } from "./config/archive-config.js"
import { type Digest, digestSubject, digestText } from "./digest.js"

export class Notifier extends Context.Tag("superdarn-hub/Notifier")<Notifier, {
  readonly send: (digest: Digest) => Effect.Effect<void>
}>() {
  static readonly layer = (notify: NotifyConfig | undefined) =>
    Layer.scoped(
      Notifier,
      Effect.gen(function*() {
        const transport = notify === undefined ? undefined : yield* smtpTransport(notify.smtp)
        const send = Effect.fn("Notifier.send")(function*(digest: Digest) {
          if (digest.items.length === 0) return
          yield* Effect.logWarning(digestSubject(digest)).pipe(
            Effect.annotateLogs({
              institution: digest.institution,
              runId: digest.runId,
              items: digest.items.map((item) =>
                `${item.kind}${item.file === undefined ? "" : ` ${item.file}`}: ${item.detail}`
              )
            })
          )
          if (transport === undefined || notify === undefined) return
          yield* Effect.tryPromise(() =>
            transport.sendMail({
              from: notify.from,
              to: [...notify.to],
              subject: digestSubject(digest),
              text: digestText(digest)
            })
          ).pipe(
            Effect.catchAll((error) =>
              Effect.logError("archive digest e-mail failed").pipe(
                Effect.annotateLogs({ institution: digest.institution, reason: String(error.error) })
              )
            )
          )
        })
        return { send }
      })
    )
}
