import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Logger, LogLevel } from "effect"
import { afterEach, vi } from "vitest"
import { AppConfig } from "../../src/layers/platform/AppConfig.js"
import { loggingLayer, LoggingLive } from "../../src/layers/platform/logging.js"

/** Run `program` under `layer`, returning the lines it wrote to console.log. */
const captureLines = <E, LE>(program: Effect.Effect<void, E>, layer: Layer.Layer<never, LE>) =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    const spy = vi.spyOn(console, "log").mockImplementation((line: unknown) => {
      lines.push(String(line))
    })
    yield* program.pipe(Effect.provide(layer), Effect.ensuring(Effect.sync(() => spy.mockRestore())))
    return lines
  })

const radarStateChange = Effect.logInfo("radar connected").pipe(
  Effect.annotateLogs({ site: "sas", transport: "tcp" })
)

describe("Logging", () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it.effect("logfmt lines carry the level, the message and the site as a field", () =>
    Effect.gen(function*() {
      const lines = yield* captureLines(radarStateChange, loggingLayer({ format: "logfmt", level: LogLevel.Info }))
      expect(lines).toHaveLength(1)
      const line = lines[0]!
      expect(line).toMatch(/\blevel=INFO\b/)
      expect(line).toMatch(/\bmessage="radar connected"/)
      expect(line).toMatch(/\bsite=sas\b/)
      expect(line).toMatch(/\btransport=tcp\b/)
      expect(line).toMatch(/\btimestamp=\d{4}-\d\d-\d\dT/)
    }))

  it.effect("json lines parse, with the site among the annotations", () =>
    Effect.gen(function*() {
      const lines = yield* captureLines(radarStateChange, loggingLayer({ format: "json", level: LogLevel.Info }))
      expect(lines).toHaveLength(1)
      const entry = JSON.parse(lines[0]!) as {
        message: unknown
        logLevel: unknown
        annotations: Record<string, unknown>
      }
      expect(entry.message).toBe("radar connected")
      expect(entry.logLevel).toBe("INFO")
      expect(entry.annotations.site).toBe("sas")
    }))

  // Effect.provide(layer) keeps the layer's FiberRef changes in the calling
  // fiber, so each logging layer gets a test of its own.
  const threeLevels = Effect.logDebug("frame details").pipe(
    Effect.zipRight(Effect.logInfo("radar connected")),
    Effect.zipRight(Effect.logWarning("radar stalled"))
  )

  it.effect("lines below the minimum level are dropped", () =>
    Effect.gen(function*() {
      const lines = yield* captureLines(threeLevels, loggingLayer({ format: "logfmt", level: LogLevel.Warning }))
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/message="radar stalled"/)
    }))

  it.effect("LOG_LEVEL=debug lets debug lines through", () =>
    Effect.gen(function*() {
      const lines = yield* captureLines(threeLevels, loggingLayer({ format: "logfmt", level: LogLevel.Debug }))
      expect(lines.map((line) => /level=(\w+)/.exec(line)?.[1])).toEqual(["DEBUG", "INFO", "WARN"])
    }))

  it.effect("replaces the pretty logger NodeRuntime.runMain installs, so nothing is printed twice", () =>
    Effect.gen(function*() {
      const asRunMainLeavesIt = Logger.add(Logger.prettyLoggerDefault)
      const lines = yield* captureLines(
        radarStateChange.pipe(Effect.provide(loggingLayer({ format: "logfmt", level: LogLevel.Info }))),
        asRunMainLeavesIt
      )
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/^timestamp=/)
    }))

  it.effect("LoggingLive reads LOG_FORMAT and LOG_LEVEL", () =>
    Effect.gen(function*() {
      const provider = ConfigProvider.fromMap(new Map([["LOG_FORMAT", "json"], ["LOG_LEVEL", "Error"]]))
      const layer = LoggingLive.pipe(
        Layer.provide(AppConfig.Default),
        Layer.provide(Layer.setConfigProvider(provider))
      )
      const program = Effect.logWarning("radar stalled").pipe(Effect.zipRight(Effect.logError("database locked")))
      const lines = yield* captureLines(program, layer)
      expect(lines).toHaveLength(1)
      expect((JSON.parse(lines[0]!) as { message: unknown }).message).toBe("database locked")
    }))
})
