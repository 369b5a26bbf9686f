/**
 * `superdarn-hub serve`: the production server. Settings come from flags,
 * the environment and `.env`; the radars from radars.config.json (or
 * `--config`) and CANADA_ADDR. It runs until SIGINT/SIGTERM, then shuts down
 * gracefully and exits 0. Everything is checked before the port is bound:
 * settings, the radar list, the database (opened, migrated, written). A
 * start-up problem is one line on stderr and exit code 1.
 */
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
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

/**
 * The radar list is read by the fleet, which starts last, after the port is
 * bound; a mistake in it must stop the start before that. (Settings and the
 * database are checked by the layers that come before the HTTP server.) Its
 * warnings are left to the fleet's own read, so they are logged once.
 */
const checkRadarList = Effect.gen(function*() {
  const { loadRadarsConfig } = yield* Effect.promise(() => import("../layers/realtime/RadarsConfig.js"))
  const { radarsConfigPath } = yield* AppConfig
  yield* loadRadarsConfig(radarsConfigPath).pipe(Logger.withMinimumLogLevel(LogLevel.None))
}).pipe(Effect.provide(AppConfig.Default))

export const serveCommand = Command.make("serve", { settings: settingsOption }, ({ settings }) =>
  // The server's code (Socket.IO, SQL, HTTP) is loaded only when it runs, not for `--help` or `dmap`.
  Effect.promise(() => import("./scale-out-layers.js")).pipe(
    Effect.tap(() => checkRadarList),
    // ROLE (--role): all, the single process, unless the deployment is scaled out.
    Effect.flatMap(({ launchRole }) => launchRole),
    withSettings(settings),
    exitOnFailure("serve")
  )).pipe(
    Command.withDescription("Run the realtime server: radar actors, Socket.IO live feed, echo store, HTTP API")
  )
