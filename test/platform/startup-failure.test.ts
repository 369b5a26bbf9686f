import { describe, expect, it } from "@effect/vitest"
import { Cause, ConfigError, Data, Effect } from "effect"
import { afterEach, vi } from "vitest"
import { exitOnFailure, startupFailureLine } from "../../src/cli/startup-failure.js"

class ListenError extends Data.TaggedError("ListenError")<{ readonly port: number }> {
  override get message() {
    return `cannot listen on 127.0.0.1:${this.port}: EADDRINUSE`
  }
}

describe("startupFailureLine", () => {
  it("names the config key and the bad value", () => {
    const cause = Cause.fail(ConfigError.InvalidData(["PORT"], "PORT must be an integer 0-65535, got \"abc\""))
    expect(startupFailureLine("serve", cause)).toBe("superdarn-hub serve: PORT must be an integer 0-65535, got \"abc\"")
  })

  it("prefixes a config message that does not name its key, and joins several", () => {
    const cause = Cause.fail(ConfigError.And(
      ConfigError.InvalidData(["LOG_LEVEL"], "Expected a log level but received \"verbose\""),
      ConfigError.InvalidData(["PORT"], "PORT must be an integer 0-65535, got \"x\"")
    ))
    expect(startupFailureLine("serve", cause)).toBe(
      "superdarn-hub serve: LOG_LEVEL: Expected a log level but received \"verbose\"; PORT must be an integer 0-65535, got \"x\""
    )
  })

  it("explains a system error code", () => {
    expect(startupFailureLine("serve", Cause.fail(new ListenError({ port: 5003 })))).toBe(
      "superdarn-hub serve: cannot listen on 127.0.0.1:5003: EADDRINUSE (the port is already in use)"
    )
  })

  it("drops stack frames from a message", () => {
    const cause = Cause.fail(
      new Error("cannot open database /data/x.sqlite: SqliteError\n    at Database (…)\n    at …")
    )
    expect(startupFailureLine("demo", cause)).toBe(
      "superdarn-hub demo: cannot open database /data/x.sqlite: SqliteError"
    )
  })

  it("joins a message that lists several problems into one line", () => {
    class ConfigFileError extends Data.TaggedError("ConfigFileError")<{}> {
      override get message() {
        return "radars.config.json: \"kod.port\" must be an integer 1-65535, got \"99a\"\nradars.config.json: \"sas.host\" is missing"
      }
    }
    expect(startupFailureLine("serve", Cause.fail(new ConfigFileError()))).toBe(
      "superdarn-hub serve: radars.config.json: \"kod.port\" must be an integer 1-65535, got \"99a\"; radars.config.json: \"sas.host\" is missing"
    )
  })

  it("reports a defect as unexpected, with its message", () => {
    expect(startupFailureLine("serve", Cause.die(new TypeError("x is undefined")))).toBe(
      "superdarn-hub serve: unexpected error: x is undefined"
    )
  })

  it("falls back to the tag of an error without a message", () => {
    class Silent extends Data.TaggedError("RadarsConfigMissing")<{}> {}
    expect(startupFailureLine("serve", Cause.fail(new Silent()))).toBe("superdarn-hub serve: RadarsConfigMissing")
  })
})

describe("exitOnFailure", () => {
  afterEach(() => {
    process.exitCode = undefined
    vi.restoreAllMocks()
  })

  it.effect("writes one line to stderr and sets exit code 1 on failure", () =>
    Effect.gen(function*() {
      const written: Array<string> = []
      vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk))
        return true
      })
      yield* Effect.fail(new ListenError({ port: 80 })).pipe(exitOnFailure("serve"))
      expect(written).toEqual([
        "superdarn-hub serve: cannot listen on 127.0.0.1:80: EADDRINUSE (the port is already in use)\n"
      ])
      expect(process.exitCode).toBe(1)
    }))

  it.effect("treats interruption (a signal) as a normal stop", () =>
    Effect.gen(function*() {
      const write = vi.spyOn(process.stderr, "write")
      yield* Effect.interrupt.pipe(exitOnFailure("serve"))
      expect(write).not.toHaveBeenCalled()
      expect(process.exitCode).toBeUndefined()
    }))
})
