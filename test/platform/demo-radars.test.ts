import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Stream } from "effect"
import { RadarFleet } from "../../src/actors/radar/RadarFleet.js"
import { AppConfig } from "../../src/layers/platform/AppConfig.js"
import { RadarRegistry } from "../../src/layers/realtime/RadarRegistry.js"
import { defaultDemoRadarsOptions, DemoFleet, DemoRadars, demoRadarsLayer } from "../../src/simulate/DemoRadars.js"
import { testsNeedProgram } from "../support/required-program.js"

testsNeedProgram("bzip2", "bzip2")

const settings = AppConfig.Default.pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map()))))

const demo = DemoFleet.pipe(
  Layer.provideMerge(demoRadarsLayer({ ...defaultDemoRadarsOptions, intervalMs: 100 })),
  Layer.provideMerge(RadarRegistry.Default),
  Layer.provide(settings),
  Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map())))
)

describe("demo radars", () => {
  it.live("six sites, four over TCP and two over ZeroMQ, deliver re-stamped records to the fleet", () =>
    Effect.gen(function*() {
      const { sites } = yield* DemoRadars
      expect(sites.filter((s) => s.transport === "tcp").map((s) => s.site)).toEqual(["sas", "kod", "pgr", "rkn"])
      expect(sites.filter((s) => s.transport === "zmq").map((s) => s.site).sort()).toEqual(["cly", "inv"])
      for (const { address } of sites) expect(address).toMatch(/^127\.0\.0\.1:\d+$/)

      const fleet = yield* RadarFleet
      const seen = new Map<string, number>()
      yield* fleet.records.pipe(
        Stream.tap((record) =>
          Effect.sync(() => {
            const t = record.fitacf.time
            const recordTime = Date.UTC(t.yr, t.mo - 1, t.dy, t.hr, t.mt, t.sc)
            // Re-stamped when sent: within seconds of now, not the fixture's 2018 date.
            expect(Math.abs(recordTime - record.receivedAt)).toBeLessThan(5_000)
            seen.set(record.site, (seen.get(record.site) ?? 0) + 1)
          })
        ),
        Stream.takeUntil(() => [...seen.values()].filter((n) => n >= 2).length === 6),
        Stream.runDrain,
        Effect.timeout("20 seconds")
      )
      expect([...seen.keys()].sort()).toEqual(["cly", "inv", "kod", "pgr", "rkn", "sas"])

      const registry = yield* RadarRegistry
      const statuses = yield* registry.snapshot
      expect(statuses.get("sas")?.transport).toBe("tcp")
      expect(statuses.get("inv")?.transport).toBe("zmq")
    }).pipe(Effect.provide(demo)))

  it.live("sites replay from different records, so they do not move in lockstep", () =>
    Effect.gen(function*() {
      const fleet = yield* RadarFleet
      const first = new Map<string, string>()
      yield* fleet.records.pipe(
        Stream.filter((record) => record.site !== "inv"),
        Stream.tap((record) =>
          Effect.sync(() => {
            if (!first.has(record.site)) {
              first.set(record.site, `${record.fitacf.channel}:${record.fitacf.bmnum}:${record.fitacf.slist.length}`)
            }
          })
        ),
        Stream.takeUntil(() => first.size === 5),
        Stream.runDrain,
        Effect.timeout("20 seconds")
      )
      expect(new Set(first.values()).size).toBeGreaterThan(1)
    }).pipe(Effect.provide(demo)))
})
