import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Layer, LogLevel, Option } from "effect"
import { AppConfig } from "../../src/layers/platform/AppConfig.js"

const settingsFrom = (entries: Record<string, string>) =>
  AppConfig.pipe(
    Effect.provide(AppConfig.Default),
    Effect.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(entries))))),
    Effect.either
  )

describe("AppConfig", () => {
  it.effect("defaults without any setting", () =>
    Effect.gen(function*() {
      const settings = Either.getOrThrow(yield* settingsFrom({}))
      expect(settings.port).toBe(5003)
      expect(settings.host).toBe("127.0.0.1")
      expect(settings.maxDaysStoreEchoes).toBe(30)
      expect(settings.logLevel).toBe(LogLevel.Info)
      expect(Option.isNone(settings.canadaAddr)).toBe(true)
    }))

  it.effect("parses every setting from text", () =>
    Effect.gen(function*() {
      const settings = Either.getOrThrow(
        yield* settingsFrom({
          PORT: "8080",
          CANADA_ADDR: "zmq.example.org:5555",
          MAX_DAYS_STORE_ECHOES: "7",
          CORS_ORIGINS: "https://a.example, https://b.example",
          LOG_LEVEL: "warning",
          LOG_FORMAT: "json"
        })
      )
      expect(settings.port).toBe(8080)
      expect(settings.canadaAddr).toEqual(Option.some({ host: "zmq.example.org", port: 5555 }))
      expect(settings.maxDaysStoreEchoes).toBe(7)
      expect(settings.corsOrigins).toEqual(["https://a.example", "https://b.example"])
      expect(settings.logLevel).toBe(LogLevel.Warning)
      expect(settings.logFormat).toBe("json")
    }))

  const refusals: ReadonlyArray<readonly [key: string, value: string, message: string]> = [
    ["PORT", "99a", `PORT must be an integer 0-65535, got "99a"`],
    ["PORT", "70000", `PORT must be an integer 0-65535, got "70000"`],
    ["MAX_DAYS_STORE_ECHOES", "30 days", `MAX_DAYS_STORE_ECHOES must be a positive integer, got "30 days"`],
    ["CANADA_ADDR", "nohostport", `CANADA_ADDR must be host:port, got "nohostport"`],
    ["LOG_LEVEL", "loud", `LOG_LEVEL must be one of`]
  ]

  it.effect.each(refusals)(
    "refuses %s=%s with a message naming key and value",
    ([key, value, message]) =>
      Effect.gen(function*() {
        const result = yield* settingsFrom({ [key]: value })
        expect(Either.isLeft(result)).toBe(true)
        if (Either.isLeft(result)) expect(String(result.left)).toContain(message)
      })
  )
})
