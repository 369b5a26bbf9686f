import { Command } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Queue } from "effect"
import * as net from "node:net"
import { tcpRadarRecords } from "../../../src/actors/radar/tcp-radar.js"
import { simulateCommand } from "../../../src/cli/simulate-command.js"
import { getScalar } from "../../../src/dmap/record.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"
import { DEFAULT_MAX_FRAME_BYTES } from "../../../src/streams/connex-framer.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { fixturePath, inuvikRecords } from "./fixture-records.js"
import { collect, fastBackoff } from "./harness.js"

testsNeedProgram("bzip2", "bzip2")

const freePort = Effect.async<number>((resume) => {
  const server = net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as net.AddressInfo
    server.close(() => resume(Effect.succeed(port)))
  })
})

const run = Command.run(simulateCommand, { name: "superdarn-hub", version: "test" })

describe("simulate command", () => {
  it.scopedLive("replays a .bz2 fitacf file as the given site, re-stamped to now, then ends", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      const command = yield* run([
        "node",
        "superdarn-hub",
        "--site",
        "sas",
        "--port",
        String(port),
        "--file",
        fixturePath("test.fitacf.bz2"),
        "--interval",
        "0.01",
        "--now"
      ]).pipe(Effect.provide(NodeContext.layer), Effect.fork)
      const queue = yield* collect(
        tcpRadarRecords({
          site: "sas",
          host: "127.0.0.1",
          port,
          maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
          stall: Duration.seconds(60),
          backoff: fastBackoff
        })
      )
      // A simulator that dies early fails the test at once, with its cause, instead of leaving the takes waiting.
      const ended = Fiber.await(command).pipe(
        Effect.flatMap((exit) => Effect.dieMessage(`simulate ended before two records arrived: ${String(exit)}`))
      )
      const [first, second] = yield* Effect.raceFirst(Effect.all([Queue.take(queue), Queue.take(queue)]), ended)
      yield* Fiber.join(command)
      expect([first.fitacf.stid, second.fitacf.stid]).toEqual([5, 5])
      expect(first.fitacf.time.yr).toBe(new Date().getUTCFullYear())
      const original = inuvikRecords()[1]!
      expect(second.fitacf.bmnum).toBe(getScalar(original, "bmnum")?.value)
    }).pipe(Effect.provide(RadarRegistry.Default)))

  it.scopedLive("refuses a bad site code before listening", () =>
    Effect.gen(function*() {
      const error = yield* run([
        "node",
        "superdarn-hub",
        "--site",
        "SAS1",
        "--file",
        fixturePath("test.fitacf")
      ]).pipe(Effect.provide(NodeContext.layer), Effect.flip)
      expect(String(error)).toContain(`--site must be a 3-letter lower-case code, got "SAS1"`)
    }))
})
