import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Logger, LogLevel } from "effect"
import { afterEach, vi } from "vitest"
import { shutdownLayer } from "../../src/layers/platform/shutdown.js"

// A signal nobody else in the test process listens to.
const SIGNAL = "SIGUSR2" as const

const captureLogs = () => {
  const messages: Array<string> = []
  const logger = Logger.make(({ message }) => {
    messages.push(Array.isArray(message) ? message.join(" ") : String(message))
  })
  return { messages, layer: Logger.replace(Logger.defaultLogger, logger) }
}

const exitSpy = () =>
  vi.spyOn(process, "exit").mockImplementation(
    ((code?: number) => {
      throw new Error(`process.exit(${code}) called`)
    }) as typeof process.exit
  )

describe("Shutdown", () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it.live("logs the signal, then the end of the close; the watchdog is disarmed and listeners removed", () =>
    Effect.gen(function*() {
      const logs = captureLogs()
      const exit = exitSpy()
      const before = process.listenerCount(SIGNAL)
      yield* Effect.scoped(
        Effect.gen(function*() {
          yield* Layer.build(shutdownLayer({ grace: "100 millis", signals: [SIGNAL] }))
          expect(process.listenerCount(SIGNAL)).toBe(before + 1)
          process.emit(SIGNAL, SIGNAL)
          expect(logs.messages).toEqual(["shutting down"])
        })
      ).pipe(Effect.provide(logs.layer), Effect.provide(Logger.minimumLogLevel(LogLevel.Info)))
      expect(logs.messages).toEqual(["shutting down", "stopped"])
      expect(process.listenerCount(SIGNAL)).toBe(before)
      // Past the grace period: a disarmed watchdog must not fire.
      yield* Effect.sleep("200 millis")
      expect(exit).not.toHaveBeenCalled()
    }))

  it.live("without a signal the close is silent", () =>
    Effect.gen(function*() {
      const logs = captureLogs()
      yield* Effect.scoped(Layer.build(shutdownLayer({ grace: "1 second", signals: [SIGNAL] }))).pipe(
        Effect.provide(logs.layer)
      )
      expect(logs.messages).toEqual([])
    }))

  it.live("a close that hangs past the grace period ends the process with exit code 1 and a line on stderr", () =>
    Effect.gen(function*() {
      const stderr: Array<string> = []
      vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
        stderr.push(String(chunk))
        return true
      })
      const exited = new Promise<number | undefined>((resolve) => {
        vi.spyOn(process, "exit").mockImplementation(
          ((code?: number) => {
            resolve(code)
            return undefined as never
          }) as typeof process.exit
        )
      })
      yield* Effect.scoped(
        Effect.gen(function*() {
          yield* Layer.build(shutdownLayer({ grace: "50 millis", signals: [SIGNAL] }))
          process.emit(SIGNAL, SIGNAL)
          // The "hanging finalizer": the scope stays open until the watchdog fires.
          expect(yield* Effect.promise(() => exited)).toBe(1)
        })
      ).pipe(Effect.provide(Logger.remove(Logger.defaultLogger)))
      expect(stderr).toEqual(["superdarn-hub: shutdown did not finish within 50 ms; exiting\n"])
    }))

  it.live("a second signal during shutdown exits at once", () =>
    Effect.gen(function*() {
      const stderr: Array<string> = []
      vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
        stderr.push(String(chunk))
        return true
      })
      const exit = exitSpy()
      yield* Effect.scoped(
        Effect.gen(function*() {
          yield* Layer.build(shutdownLayer({ grace: "10 seconds", signals: [SIGNAL] }))
          process.emit(SIGNAL, SIGNAL)
          expect(() => process.emit(SIGNAL, SIGNAL)).toThrow("process.exit(1) called")
        })
      ).pipe(Effect.provide(Logger.remove(Logger.defaultLogger)))
      expect(exit).toHaveBeenCalledTimes(1)
      expect(stderr).toEqual(["superdarn-hub: second SIGUSR2 during shutdown; exiting now\n"])
    }))
})
