/**
 * Benchmark child: simulated radars. One fake rtserver per site on
 * 127.0.0.1; on "go", each site sends records at its rate, each stamped with
 * the send time to the microsecond so clients can measure radar-to-client
 * latency from the packet's `time_iso`.
 */
import { Effect, Schedule } from "effect"
import { execFileSync } from "node:child_process"
import { decodeRecords } from "../../src/dmap/decode.js"
import { withScalars } from "../../src/dmap/record.js"
import type { DmapRecord } from "../../src/dmap/types.js"
import { makeFakeRtServer } from "../../src/simulate/fake-rtserver.js"
import { REPLAY_FITACF } from "../replay-file.js"
import { nowMs, type RadarsCommand, type RadarsMessage } from "./protocol.js"

const FIXTURE = REPLAY_FITACF

const send = (message: RadarsMessage) => process.send?.(message)

const stamped = (record: DmapRecord): DmapRecord => {
  const ms = nowMs()
  const at = new Date(Math.floor(ms))
  return withScalars(record, {
    "time.yr": at.getUTCFullYear(),
    "time.mo": at.getUTCMonth() + 1,
    "time.dy": at.getUTCDate(),
    "time.hr": at.getUTCHours(),
    "time.mt": at.getUTCMinutes(),
    "time.sc": at.getUTCSeconds(),
    "time.us": Math.floor((ms % 1000) * 1000)
  })
}

const sites = Number(process.argv[2] ?? 40)

const program = Effect.gen(function*() {
  const records = decodeRecords(new Uint8Array(execFileSync("bzip2", ["-dc", FIXTURE], { maxBuffer: 1 << 26 }))).records
  const servers = yield* Effect.forEach(
    Array.from({ length: sites }, (_, i) => `s${String(i).padStart(2, "0")}`),
    (site) => Effect.map(makeFakeRtServer(), (server) => ({ site, server }))
  )
  send({ type: "ports", radars: servers.map(({ server, site }) => ({ site, port: server.port })) })

  process.on("message", (command: RadarsCommand) => {
    if (command.type === "await-connections") {
      Effect.runFork(
        Effect.forEach(servers, ({ server }) => server.awaitClients(1), { discard: true }).pipe(
          Effect.tap(() => send({ type: "connected" }))
        )
      )
    } else {
      const intervalMs = 1000 / command.perSiteHz
      const count = Math.round(command.perSiteHz * command.seconds)
      Effect.runFork(
        Effect.forEach(servers, ({ server }, i) => {
          let next = i
          // Sites start spread over one interval, as real radars are not in step.
          return Effect.sleep(`${(intervalMs * i) / sites} millis`).pipe(
            Effect.zipRight(
              Effect.suspend(() => server.send(stamped(records[next++ % records.length]!))).pipe(
                Effect.repeat({ schedule: Schedule.fixed(`${intervalMs} millis`), times: count - 1 })
              )
            )
          )
        }, { concurrency: "unbounded", discard: true }).pipe(
          Effect.tap(() => send({ type: "sent", records: count * sites }))
        )
      )
    }
  })
  return yield* Effect.never
})

Effect.runFork(Effect.scoped(program))
