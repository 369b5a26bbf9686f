/**
 * `superdarn-hub demo`: the whole server against simulated radars on this
 * machine, with no configuration. Every `serve` flag works except `--config`
 * and `--canada-addr`, which it refuses; the database defaults to
 * ./data/demo/ so a demo never writes into a production file named by
 * DATABASE_PATH in the environment.
 */
import * as Command from "@effect/cli/Command"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { withSettings } from "./serve-command.js"
import { type SettingsFlags, settingsOption } from "./settings-options.js"
import { exitOnFailure, UsageError } from "./startup-failure.js"

export const DEMO_DATABASE_PATH = "./data/demo/superdarn-hub.sqlite"

/** The flags with the demo's database unless one was given on the command line. */
export const demoFlags = (flags: SettingsFlags): SettingsFlags => ({
  ...flags,
  databasePath: Option.orElse(flags.databasePath, () => Option.some(["DATABASE_PATH", DEMO_DATABASE_PATH] as const))
})

const announce = Effect.gen(function*() {
  const { DemoRadars } = yield* Effect.promise(() => import("../simulate/DemoRadars.js"))
  const { HttpServer } = yield* Effect.promise(() => import("../layers/platform/HttpServer.js"))
  const { url } = yield* HttpServer
  const { sites } = yield* DemoRadars
  const tcp = sites.filter((s) => s.transport === "tcp").map((s) => s.site)
  const zmq = sites.filter((s) => s.transport === "zmq").map((s) => s.site)
  yield* Console.log(
    [
      "",
      `  superdarn-hub demo is running: open ${url}/`,
      `  simulated radars: ${tcp.join(", ")} over TCP (rtserver), ${zmq.join(", ")} over ZeroMQ (Canada publisher)`,
      "  Ctrl-C stops it.",
      ""
    ].join("\n")
  )
})

/**
 * The demo's radars are its own simulated ones; a real radar list or Canada
 * feed is `serve`'s job, so those two flags are refused rather than ignored.
 * (RADARS_CONFIG and CANADA_ADDR in the environment are not read by demo.)
 */
export const refuseRealRadars = (flags: SettingsFlags): Effect.Effect<void, UsageError> => {
  const given = [
    Option.isSome(flags.config) ? "--config" : undefined,
    Option.isSome(flags.canadaAddr) ? "--canada-addr" : undefined
  ].filter((flag) => flag !== undefined)
  return given.length === 0 ? Effect.void : Effect.fail(
    new UsageError({
      command: "demo",
      problem: `${given.join(" and ")} ${given.length === 1 ? "is" : "are"} not used by demo, which runs simulated ` +
        `radars only (real radars: superdarn-hub serve ${given.map((flag) => `${flag} …`).join(" ")})`
    })
  )
}

export const demoCommand = Command.make("demo", { settings: settingsOption }, ({ settings }) =>
  // The server's code is loaded only when the demo runs, as for `serve`.
  refuseRealRadars(settings).pipe(
    Effect.zipRight(Effect.promise(() => import("./server-layers.js"))),
    Effect.flatMap(({ demoServerLayer }) =>
      announce.pipe(Effect.zipRight(Effect.never), Effect.provide(demoServerLayer()))
    ),
    withSettings(demoFlags(settings)),
    exitOnFailure("demo")
  )).pipe(
    Command.withDescription("Run the server against simulated radars replaying real records; prints the URL to open")
  )
