/**
 * Radar alerts: watches every entry of the RadarRegistry (each radar, and the
 * Canada feed's own entry), turns state changes into notices after the
 * hold-down (alert-hold.ts), and delivers each notice to every webhook in
 * ALERT_WEBHOOK_URLS and by e-mail to ALERT_EMAIL_TO.
 *
 * The registry is read once a second rather than followed: "stale" is a
 * matter of time passing without records, which no registry change announces.
 * Each target has its own bounded queue and fiber, so a receiver that hangs
 * or fails only delays (and, past 64 waiting notices, drops) its own
 * deliveries; nothing waits for a delivery, least of all the radars.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import { describeUnknown } from "../../domain/unknown-error.js"
import { AppConfig } from "../platform/AppConfig.js"
import { type SmtpSettings, smtpTransport } from "../platform/smtp.js"
import { alertSubject, alertText } from "./alert-email.js"
import { type AlertHold, alertLevel, type AlertNotice, initialHold, observe } from "./alert-hold.js"
import { defaultWebhookPolicy, postWebhook, type WebhookPolicy } from "./alert-webhook.js"
import { RadarRegistry } from "./RadarRegistry.js"

export interface AlertEmailSettings {
  readonly smtp: SmtpSettings
  readonly from: string
  readonly to: ReadonlyArray<string>
}

export interface AlertSettings {
  readonly hold: Duration.Duration
  /** As STALL_SECONDS: a connected radar silent this long is stale. */
  readonly stall: Duration.Duration
  readonly webhookUrls: ReadonlyArray<string>
  readonly webhookSecret: Redacted.Redacted<string> | undefined
  readonly email: AlertEmailSettings | undefined
  /** How often the registry is read; default 1 s. */
  readonly poll?: Duration.Duration
  readonly webhookPolicy?: WebhookPolicy
}

/** A notice as it is posted to webhooks and kept for the status page. */
export interface AlertPayload {
  readonly kind: "down" | "back"
  readonly site: string
  readonly state: "receiving" | "stale" | "down"
  /** ISO 8601: when the outage started. */
  readonly since: string
  /** ISO 8601: when the notice was decided. */
  readonly at: string
  /** For "back": the outage's length in seconds. */
  readonly outage_s: number | null
  readonly detail: string | null
  /** One line for people. */
  readonly summary: string
}

export const alertPayload = (notice: AlertNotice): AlertPayload => ({
  kind: notice.kind,
  site: notice.site,
  state: notice.level,
  since: new Date(notice.since).toISOString(),
  at: new Date(notice.at).toISOString(),
  outage_s: notice.outageMs === undefined ? null : Math.round(notice.outageMs / 1000),
  detail: notice.detail ?? null,
  summary: alertSubject(notice).replace(/^\[superdarn-hub\] /, "")
})

/** Notices kept for the status page. */
export const RECENT_ALERTS = 20
/** Notices waiting per target before the oldest are dropped. */
const TARGET_QUEUE = 64
const EMAIL_TIMEOUT = Duration.seconds(30)

export interface AlertsShape {
  /** The last notices, newest first. */
  readonly recent: Effect.Effect<ReadonlyArray<AlertPayload>>
}

export class Alerts extends Context.Tag("superdarn-hub/Alerts")<Alerts, AlertsShape>() {
  static readonly layer = (settings: AlertSettings): Layer.Layer<Alerts, never, RadarRegistry> =>
    Layer.scoped(
      Alerts,
      Effect.gen(function*() {
        const registry = yield* RadarRegistry
        const holdMs = Duration.toMillis(settings.hold)
        const stallMs = Duration.toMillis(settings.stall)
        const holds = new Map<string, AlertHold>()
        const recent: Array<AlertPayload> = []

        const targets: Array<Queue.Queue<AlertNotice>> = []
        const startTarget = (
          name: string,
          deliver: (notice: AlertNotice) => Effect.Effect<void, { message: string }>
        ) =>
          Effect.gen(function*() {
            const queue = yield* Queue.sliding<AlertNotice>(TARGET_QUEUE)
            targets.push(queue)
            yield* Queue.take(queue).pipe(
              Effect.flatMap((notice) =>
                deliver(notice).pipe(
                  Effect.tap(() => Effect.logDebug(`alert delivered to ${name}`)),
                  Effect.catchAll((error) =>
                    Effect.logWarning(`alert not delivered: ${error.message}`).pipe(
                      Effect.annotateLogs({ target: name, site: notice.site, alert: notice.kind })
                    )
                  )
                )
              ),
              Effect.forever,
              Effect.forkScoped
            )
          })

        const policy = settings.webhookPolicy ?? defaultWebhookPolicy
        for (const url of settings.webhookUrls) {
          yield* startTarget(url, (notice) => postWebhook(url, alertPayload(notice), settings.webhookSecret, policy))
        }
        const email = settings.email
        if (email !== undefined && email.to.length > 0) {
          const transport = yield* smtpTransport(email.smtp)
          yield* startTarget(`mail to ${email.to.join(", ")}`, (notice) =>
            Effect.tryPromise({
              try: () =>
                transport.sendMail({
                  from: email.from,
                  to: [...email.to],
                  subject: alertSubject(notice),
                  text: alertText(notice)
                }),
              catch: (error) => ({ message: `e-mail: ${describeUnknown(error)}` })
            }).pipe(
              Effect.timeoutFail({
                duration: EMAIL_TIMEOUT,
                onTimeout: () => ({ message: "e-mail: SMTP server did not answer" })
              }),
              Effect.retry(Schedule.exponential(Duration.seconds(5)).pipe(Schedule.intersect(Schedule.recurs(2))))
            ))
        }

        const tick = Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const statuses = yield* registry.snapshot
          for (const site of holds.keys()) if (!statuses.has(site)) holds.delete(site)
          const notices: Array<AlertNotice> = []
          for (const status of statuses.values()) {
            const [next, notice] = observe(
              holds.get(status.site) ?? initialHold,
              { site: status.site, level: alertLevel(status, now, stallMs), now, detail: status.lastError },
              holdMs
            )
            holds.set(status.site, next)
            if (notice !== undefined) notices.push(notice)
          }
          for (const notice of notices) {
            const payload = alertPayload(notice)
            recent.unshift(payload)
            if (recent.length > RECENT_ALERTS) recent.length = RECENT_ALERTS
            yield* Effect.logWarning(`alert: ${payload.summary}`).pipe(Effect.annotateLogs("site", notice.site))
            for (const queue of targets) yield* Queue.offer(queue, notice)
          }
        })
        yield* tick.pipe(Effect.repeat(Schedule.spaced(settings.poll ?? Duration.seconds(1))), Effect.forkScoped)

        return { recent: Effect.sync(() => [...recent]) }
      })
    )

  /** Alerts from the process settings (ALERT_*, SMTP_*, STALL_SECONDS). */
  static readonly Default: Layer.Layer<Alerts, never, RadarRegistry | AppConfig> = Layer.unwrapEffect(
    Effect.map(AppConfig, (config) =>
      Alerts.layer({
        hold: Duration.seconds(config.alertHoldSeconds),
        stall: Duration.seconds(config.stallSeconds),
        webhookUrls: config.alertWebhookUrls,
        webhookSecret: Option.getOrUndefined(config.alertWebhookSecret),
        email: Option.getOrUndefined(config.alertEmail)
      }))
  )
}
