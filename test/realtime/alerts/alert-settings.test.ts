import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Layer, Option, Redacted } from "effect"
import { AppConfig } from "../../../src/layers/platform/AppConfig.js"

const settingsFrom = (entries: Record<string, string>) =>
  AppConfig.pipe(
    Effect.provide(AppConfig.Default),
    Effect.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(entries))))),
    Effect.either
  )

describe("alert settings", () => {
  it.effect("default to a 300 s hold-down and no targets", () =>
    Effect.gen(function*() {
      const settings = Either.getOrThrow(yield* settingsFrom({}))
      expect(settings.alertHoldSeconds).toBe(300)
      expect(settings.alertWebhookUrls).toEqual([])
      expect(Option.isNone(settings.alertWebhookSecret)).toBe(true)
      expect(Option.isNone(settings.alertEmail)).toBe(true)
    }))

  it.effect("read webhooks, the secret (redacted) and e-mail with the archive's SMTP shape", () =>
    Effect.gen(function*() {
      const settings = Either.getOrThrow(
        yield* settingsFrom({
          ALERT_HOLD_SECONDS: "60",
          ALERT_WEBHOOK_URLS: "https://hooks.example/a, http://10.0.0.1:8080/b",
          ALERT_WEBHOOK_SECRET: "s3cret",
          ALERT_EMAIL_TO: "ops@example.edu, pi@example.edu",
          SMTP_HOST: "smtp.example.edu",
          SMTP_PORT: "587",
          SMTP_USER: "hub",
          SMTP_PASSWORD: "pw"
        })
      )
      expect(settings.alertHoldSeconds).toBe(60)
      expect(settings.alertWebhookUrls).toEqual(["https://hooks.example/a", "http://10.0.0.1:8080/b"])
      expect(Option.map(settings.alertWebhookSecret, Redacted.value)).toEqual(Option.some("s3cret"))
      expect(String(Option.getOrThrow(settings.alertWebhookSecret))).not.toContain("s3cret")
      expect(settings.alertEmail).toEqual(Option.some({
        smtp: { host: "smtp.example.edu", port: 587, secure: false, user: "hub", password: "pw" },
        from: "superdarn-hub@localhost",
        to: ["ops@example.edu", "pi@example.edu"]
      }))
    }))

  const refusals: ReadonlyArray<readonly [Record<string, string>, string]> = [
    [{ ALERT_HOLD_SECONDS: "5m" }, `ALERT_HOLD_SECONDS must be a positive integer, got "5m"`],
    [
      { ALERT_WEBHOOK_URLS: "https://ok.example, ftp://nope" },
      `ALERT_WEBHOOK_URLS must be comma-separated http(s) URLs, got "ftp://nope"`
    ],
    [{ ALERT_EMAIL_TO: "ops@example.edu" }, "SMTP_HOST must be set when ALERT_EMAIL_TO is"],
    [{ ALERT_EMAIL_TO: " , " }, "ALERT_EMAIL_TO must be comma-separated e-mail addresses, got none"],
    [
      { ALERT_EMAIL_TO: "ops@example.edu", SMTP_HOST: "h", SMTP_PORT: "smtp" },
      `SMTP_PORT must be an integer 0-65535, got "smtp"`
    ]
  ]

  it.effect.each(refusals)("refuses %o with a message naming the key", ([entries, message]) =>
    Effect.gen(function*() {
      const result = yield* settingsFrom(entries)
      expect(Either.isLeft(result)).toBe(true)
      if (Either.isLeft(result)) expect(String(result.left)).toContain(message)
    }))
})
