/**
 * `superdarn-hub simulate --site sas --port 9999 --file X.fitacf[.bz2]
 * [--interval 3] [--loop] [--now] [--host 127.0.0.1]`: a fake radar realtime
 * port (RST/ROS rtserver, connex framing) replaying a real fitacf file, for
 * operators testing a deployment without a radar.
 *
 * Records go out only while a client is connected, so a replay is not used up
 * before the hub connects. Without --loop the command ends after the last
 * record; with it, it runs until interrupted.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import { withScalars } from "../dmap/record.js"
import type { DmapRecord } from "../dmap/types.js"
import { radarTable } from "../domain/radar-table.js"
import { parseLogLevel } from "../layers/platform/AppConfig.js"
import { loggingLayer } from "../layers/platform/logging.js"
import { logLevelFlag } from "./settings-options.js"

export class SimulateOptionError extends Data.TaggedError("SimulateOptionError")<{
  readonly option: string
  readonly reason: string
}> {
  override get message(): string {
    return `--${this.option} ${this.reason}`
  }
}

const options = {
  site: Options.text("site").pipe(
    Options.withDescription("3-letter site code; a known site's stid is written into every record")
  ),
  host: Options.text("host").pipe(
    Options.withDescription("address to listen on; default 127.0.0.1"),
    Options.withDefault("127.0.0.1")
  ),
  port: Options.integer("port").pipe(
    Options.withDescription("TCP port to listen on, 0 for any free one; default 9999"),
    Options.withDefault(9999)
  ),
  file: Options.file("file", { exists: "yes" }).pipe(
    Options.withDescription("fitacf file to replay: plain, .bz2 or .gz (recognised by content)")
  ),
  interval: Options.float("interval").pipe(
    Options.withDescription("seconds between records; default 3"),
    Options.withDefault(3)
  ),
  loop: Options.boolean("loop").pipe(
    Options.withDescription("start again after the last record, for ever; default: stop after the last")
  ),
  now: Options.boolean("now").pipe(
    Options.withDescription("re-stamp each record with the current UTC time; default: keep the file's times")
  )
}

const simulateLogLevel = (): LogLevel.LogLevel =>
  parseLogLevel(Option.getOrElse(logLevelFlag(process.argv.slice(2)), () => process.env["LOG_LEVEL"] ?? "info")) ??
    LogLevel.Info

/** The records as the simulated site sends them: its stid, when the radar table knows the site. */
const asSite = (records: ReadonlyArray<DmapRecord>, stid: number | undefined): ReadonlyArray<DmapRecord> =>
  stid === undefined ? records : records.map((record) => withScalars(record, { stid }))

export const simulateCommand = Command.make("simulate", options, (flags) =>
  Effect.gen(function*() {
    if (!/^[a-z]{3}$/.test(flags.site)) {
      return yield* new SimulateOptionError({
        option: "site",
        reason: `must be a 3-letter lower-case code, got "${flags.site}"`
      })
    }
    if (flags.port < 0 || flags.port > 65535) {
      return yield* new SimulateOptionError({ option: "port", reason: `must be 0-65535, got ${flags.port}` })
    }
    if (!(flags.interval >= 0)) {
      return yield* new SimulateOptionError({
        option: "interval",
        reason: `must be 0 or more seconds, got ${flags.interval}`
      })
    }
    const radar = radarTable().byCode.get(flags.site)
    if (radar === undefined) {
      yield* Effect.logWarning(`"${flags.site}" is not in the SuperDARN radar table; records keep their own stid`)
    }
    // Loaded only when the command runs, so other commands do not pay for the fake server's code.
    const { readFitacfFile } = yield* Effect.promise(() => import("../simulate/fitacf-file.js"))
    const { makeFakeRtServer } = yield* Effect.promise(() => import("../simulate/fake-rtserver.js"))
    const records = asSite(yield* readFitacfFile(flags.file), radar?.stid)
    const server = yield* makeFakeRtServer({
      host: flags.host,
      port: flags.port,
      records,
      intervalMs: flags.interval * 1000,
      loop: flags.loop,
      restamp: flags.now
    })
    yield* Effect.log(
      `simulating ${flags.site} on ${server.host}:${server.port}: ${records.length} records from ${flags.file}, ` +
        `one every ${flags.interval} s${flags.loop ? ", looping" : ""}${flags.now ? ", re-stamped to now" : ""}`
    )
    yield* server.replayDone
    yield* Effect.log("replay finished")
  }).pipe(
    Effect.scoped,
    Effect.annotateLogs("site", flags.site),
    // The built-in --log-level, else LOG_LEVEL, as for every command (see settings-options.ts).
    Effect.provide(loggingLayer({ format: "logfmt", level: simulateLogLevel() }))
  )).pipe(Command.withDescription("run a fake radar (rtserver) that replays a fitacf file"))
