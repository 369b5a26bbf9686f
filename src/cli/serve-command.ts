/**
 * `superdarn-hub serve`: the production server. Settings come from flags,
 * the environment and `.env`; the radars from radars.config.json (or
 * `--config`) and CANADA_ADDR. It runs until SIGINT/SIGTERM, then shuts down
 * gracefully and exits 0. A start-up problem is one line on stderr and exit
 * code 1.
 */
import * as Command from "@effect/cli/Command"
import { Effect, Layer } from "effect"
import { AppConfig } from "../layers/platform/AppConfig.js"
import { LoggingLive } from "../layers/platform/logging.js"
import { type SettingsFlags, settingsOption, settingsProviderLayer } from "./settings-options.js"
import { exitOnFailure } from "./startup-failure.js"

/** Logging first, so every later layer's lines are structured as configured. */
export const withSettings = (flags: SettingsFlags) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  self.pipe(
    Effect.provide(LoggingLive.pipe(Layer.provide(AppConfig.Default))),
    Effect.provide(settingsProviderLayer(flags))
  )

export const serveCommand = Command.make("serve", { settings: settingsOption }, ({ settings }) =>
  // The server's code (Socket.IO, SQL, HTTP) is loaded only when it runs, not for `--help` or `dmap`.
  Effect.promise(() => import("./server-layers.js")).pipe(
    Effect.flatMap(({ ServerLive }) => Layer.launch(ServerLive)),
    withSettings(settings),
    exitOnFailure("serve")
  )).pipe(
    Command.withDescription("Run the realtime server: radar actors, Socket.IO live feed, echo store, HTTP API")
  )
