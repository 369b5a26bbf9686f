import { SqlClient } from "@effect/sql"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, TestClock } from "effect"
import { AppConfig } from "../../../src/layers/platform/AppConfig.js"
import { databaseLayer } from "../../../src/layers/platform/database.js"
import { EchoStore } from "../../../src/layers/realtime/EchoStore.js"
import { RetentionLive } from "../../../src/layers/realtime/retention.js"
import type { EchoScan } from "../../../src/streams/scan-window.js"
import { tempDatabaseFile } from "./temp-database.js"

const DAY = 24 * 3600_000
const NOW = Date.UTC(2025, 8, 27, 12)

const scanAt = (timestamp: number): EchoScan => ({
  site: "sas",
  channel: 0,
  timestamp,
  totalEchoes: 1,
  ionosphericEchoes: 1,
  groundScatterEchoes: 0,
  recordCount: 1,
  beamCount: 1,
  complete: true
})

/** AppConfig read from the process environment, as in production. */
const configFromEnv = AppConfig.Default.pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromEnv())))

const storedTimestamps = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql<{ timestamp: number }>`SELECT timestamp FROM echo_scans ORDER BY timestamp`
).pipe(
  Effect.map((rows) => rows.map((r) => r.timestamp))
)

const saved = process.env.MAX_DAYS_STORE_ECHOES
afterEach(() => {
  if (saved === undefined) delete process.env.MAX_DAYS_STORE_ECHOES
  else process.env.MAX_DAYS_STORE_ECHOES = saved
})

describe("Retention", () => {
  it.scoped("deletes scans older than MAX_DAYS_STORE_ECHOES from the environment at start-up, then daily", () =>
    Effect.gen(function*() {
      process.env.MAX_DAYS_STORE_ECHOES = " 7 "
      yield* TestClock.setTime(NOW)
      const file = yield* tempDatabaseFile
      const store = EchoStore.Default.pipe(Layer.provideMerge(databaseLayer(file)))
      const config = yield* AppConfig.pipe(Effect.provide(configFromEnv))
      expect(config.maxDaysStoreEchoes).toBe(7)

      yield* Effect.gen(function*() {
        yield* (yield* EchoStore).insertScans(
          [NOW - 8 * DAY, NOW - 6 * DAY, NOW - 5 * DAY - 1, NOW - 3_600_000].map(scanAt)
        )
        yield* Effect.gen(function*() {
          // Start-up run.
          expect(yield* storedTimestamps).toEqual([NOW - 6 * DAY, NOW - 5 * DAY - 1, NOW - 3_600_000])
          yield* TestClock.adjust("23 hours")
          expect(yield* storedTimestamps).toHaveLength(3)
          yield* TestClock.adjust("1 hour")
          // Day 1: the cutoff is now NOW - 6 days; a scan exactly at the cutoff stays.
          expect(yield* storedTimestamps).toEqual([NOW - 6 * DAY, NOW - 5 * DAY - 1, NOW - 3_600_000])
          yield* TestClock.adjust("1 day")
          expect(yield* storedTimestamps).toEqual([NOW - 3_600_000])
        }).pipe(Effect.provide(RetentionLive.pipe(Layer.provide(configFromEnv))))
      }).pipe(Effect.provide(store))
    }))

  it.effect("refuses a setting that is not a positive integer", () =>
    Effect.gen(function*() {
      for (const value of ["7days", "0", "-3", "2.5", ""]) {
        process.env.MAX_DAYS_STORE_ECHOES = value
        const error = yield* Effect.flip(AppConfig.pipe(Effect.provide(configFromEnv)))
        expect(String(error), value).toContain(`MAX_DAYS_STORE_ECHOES must be a positive integer, got "${value}"`)
      }
    }))
})
