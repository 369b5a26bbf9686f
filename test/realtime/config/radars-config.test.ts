import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Logger, LogLevel } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { radarTable, siteOfStid } from "../../../src/domain/radar-table.js"
import { loadRadarsConfig, parseRadarsConfig } from "../../../src/layers/realtime/RadarsConfig.js"
import { DEFAULT_MAX_FRAME_BYTES } from "../../../src/streams/connex-framer.js"

const problems = (text: string) =>
  Either.match(parseRadarsConfig("radars.config.json", text), {
    onLeft: (error) => error.message.split("\n"),
    onRight: () => []
  })

describe("radars.config.json", () => {
  it("reads the operators' format, with optional settings and their defaults", () => {
    const parsed = Either.getOrThrow(
      parseRadarsConfig(
        "radars.config.json",
        JSON.stringify({
          kod: { host: "10.0.0.5", port: 9999 },
          sas: { host: "sas.example.org", port: "1024", enabled: false, maxFrameBytes: 8_000_000, stallSeconds: 30 }
        })
      )
    )
    expect(parsed.radars).toEqual([
      {
        site: "kod",
        host: "10.0.0.5",
        port: 9999,
        enabled: true,
        maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
        stallSeconds: undefined
      },
      { site: "sas", host: "sas.example.org", port: 1024, enabled: false, maxFrameBytes: 8_000_000, stallSeconds: 30 }
    ])
    expect(parsed.unknownSites).toEqual([])
  })

  it("names the file, the key and what was expected", () => {
    expect(problems(`{ "kod": { "host": "10.0.0.5", "port": "99a" } }`)).toEqual([
      `radars.config.json: "kod.port" must be an integer 1-65535, got "99a"`
    ])
    expect(problems(`{ "kod": { "host": "10.0.0.5", "port": 70000 } }`)).toEqual([
      `radars.config.json: "kod.port" must be an integer 1-65535, got 70000`
    ])
    expect(problems(`{ "kod": { "host": "10.0.0.5", "port": 99.5 } }`)).toEqual([
      `radars.config.json: "kod.port" must be an integer 1-65535, got 99.5`
    ])
    expect(problems(`{ "kod": { "port": 9999 } }`)).toEqual([`radars.config.json: "kod.host" is required`])
    expect(problems(`{ "kod": { "host": "a b", "port": 1, "enabled": "yes" } }`)).toEqual([
      `radars.config.json: "kod.host" must be a host name or IP address (IPv6 as ::1 or [::1]), got "a b"`,
      `radars.config.json: "kod.enabled" must be true or false, got "yes"`
    ])
    expect(problems(`{ "kod": { "host": "h", "port": 1, "maxFramebytes": 5 } }`)).toEqual([
      `radars.config.json: "kod.maxFramebytes" is not a setting (expected one of host, port, enabled, maxFrameBytes, stallSeconds), got 5`
    ])
    expect(problems(`{ "kod": { "host": "h", "port": 1, "maxFrameBytes": 10 } }`)).toEqual([
      `radars.config.json: "kod.maxFrameBytes" must be an integer 1024-1073741824 (bytes), got 10`
    ])
    expect(problems(`{ "KOD": { "host": "h", "port": 1 }, "sas": 5 }`)).toEqual([
      `radars.config.json: "KOD" must be a 3-letter lower-case site code`,
      `radars.config.json: "sas" must be an object with "host" and "port", got 5`
    ])
    expect(problems(`[1]`)).toEqual([
      `radars.config.json: must be an object of site code to { "host": ..., "port": ... }, got [1]`
    ])
    expect(problems(`{ "kod": `)[0]).toMatch(/^radars\.config\.json: is not valid JSON: /)
  })

  it.effect("an unknown site code is a warning, not an error", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sdh-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
      const file = path.join(dir, "radars.config.json")
      fs.writeFileSync(
        file,
        JSON.stringify({ zzz: { host: "127.0.0.1", port: 5000 }, sas: { host: "127.0.0.1", port: 5001 } })
      )
      const logs: Array<string> = []
      const capture = Logger.replace(
        Logger.defaultLogger,
        Logger.make(({ logLevel, message }) => logs.push(`${logLevel.label} ${String(message)}`))
      )
      const radars = yield* loadRadarsConfig(file).pipe(
        Effect.provide(capture),
        Logger.withMinimumLogLevel(LogLevel.All)
      )
      expect(radars.map((r) => r.site)).toEqual(["zzz", "sas"])
      expect(logs).toEqual([`WARN ${file}: "zzz" is not in the SuperDARN radar table; using it as given`])
    }).pipe(Effect.scoped))

  it.effect("a missing file is an empty list; an unreadable one is an error naming it", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sdh-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
      expect(yield* loadRadarsConfig(path.join(dir, "absent.json"))).toEqual([])
      const error = yield* Effect.flip(loadRadarsConfig(dir))
      expect(error.message).toMatch(new RegExp(`^${dir}: cannot be read: EISDIR`))
    }).pipe(Effect.scoped))
})

describe("SuperDARN radar table", () => {
  it("holds the radars of RST's radar.dat, by stid and by code", () => {
    const table = radarTable()
    expect(table.radars.length).toBe(43)
    expect(table.byCode.get("sas")).toEqual({
      stid: 5,
      code: "sas",
      name: "Saskatoon",
      operator: "University of Saskatchewan",
      status: "operational",
      firstDay: "1993-09-29",
      lastDay: null
    })
    expect(siteOfStid(10)).toBe("han")
    expect(siteOfStid(64)).toBe("inv")
    expect(table.byCode.get("han")?.status).toBe("decommissioned")
    expect(siteOfStid(9999)).toBeUndefined()
    expect(new Set(table.radars.map((r) => r.stid)).size).toBe(table.radars.length)
  })
})

describe("radars.config.json says what it means", () => {
  it("a site or setting given twice is an error naming both places", () => {
    expect(
      problems(
        `{\n  "kod": { "host": "a", "port": 1 },\n  "sas": { "host": "b", "port": 2 },\n  "kod": { "host": "c", "port": 3 }\n}`
      )
    )
      .toEqual([`radars.config.json: "kod" is given twice (lines 2 and 4); keep one`])
    expect(problems(`{ "kod": { "host": "a", "port": 1, "port": 2 } }`)).toEqual([
      `radars.config.json: "kod.port" is given twice (lines 1 and 1); keep one`
    ])
    // The same text inside a string value is not a key.
    expect(problems(`{ "kod": { "host": "kod", "port": 1 }, "sas": { "host": "kod", "port": 2 } }`)).toEqual([])
  })

  it("ports are decimal integers only", () => {
    for (const port of [`"0x18b1"`, `"1e3"`, `" 6321 "`, `"+6321"`, `"6321.0"`, `""`]) {
      expect(problems(`{ "kod": { "host": "h", "port": ${port} } }`)).toEqual([
        `radars.config.json: "kod.port" must be an integer 1-65535, got ${port}`
      ])
    }
    expect(problems(`{ "kod": { "host": "h", "port": "6321" }, "sas": { "host": "h", "port": 6321 } }`)).toEqual([])
    expect(problems(`{ "kod": { "host": "h", "port": 1, "stallSeconds": "0x10" } }`)).toEqual([
      `radars.config.json: "kod.stallSeconds" must be an integer 1-86400 (seconds), got "0x10"`
    ])
  })

  it("a UTF-8 byte order mark is accepted", () => {
    const parsed = parseRadarsConfig("radars.config.json", `\uFEFF{ "kod": { "host": "h", "port": 1 } }`)
    expect(Either.getOrThrow(parsed).radars.map((r) => r.site)).toEqual(["kod"])
  })

  it("IPv6 literals work bare or in brackets; malformed addresses are refused at validation", () => {
    const parsed = Either.getOrThrow(
      parseRadarsConfig(
        "radars.config.json",
        `{ "kod": { "host": "[::1]", "port": 1 }, "sas": { "host": "fe80::1", "port": 2 } }`
      )
    )
    expect(parsed.radars.map((r) => r.host)).toEqual(["::1", "fe80::1"])
    for (const host of ["[::1", "::1]", "[10.0.0.1]", "1:2:3", "[::g]", "-bad-.example", "a..b", "host_name"]) {
      expect(problems(`{ "kod": { "host": ${JSON.stringify(host)}, "port": 1 } }`)).toEqual([
        `radars.config.json: "kod.host" must be a host name or IP address (IPv6 as ::1 or [::1]), got ${
          JSON.stringify(host)
        }`
      ])
    }
  })
})
