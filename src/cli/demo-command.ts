/**
 * `superdarn-hub demo`: the whole server against simulated radars on this
 * machine, with no configuration. Every `serve` flag works; the database
 * defaults to ./data/demo/ so a demo never writes into a production file
 * named by DATABASE_PATH in the environment.
 */
import * as Command from "@effect/cli/Command"
import { Console, Effect, Option } from "effect"
import { withSettings } from "./serve-command.js"
import { type SettingsFlags, settingsOption } from "./settings-options.js"
import { exitOnFailure } from "./startup-failure.js"

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

export const demoCommand = Command.make("demo", { settings: settingsOption }, ({ settings }) =>
  // The server's code is loaded only when the demo runs, as for `serve`.
  Effect.promise(() => import("./server-layers.js")).pipe(
    Effect.flatMap(({ demoServerLayer }) => announce.pipe(Effect.zipRight(Effect.never), Effect.provide(demoServerLayer()))),
    withSettings(demoFlags(settings)),
    exitOnFailure("demo")
  )).pipe(
    Command.withDescription("Run the server against simulated radars replaying real records; prints the URL to open")
  )
