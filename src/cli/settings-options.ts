/**
 * Every process setting as a command-line flag. Flags given on the command line
 * become a ConfigProvider layered over `.env` and the environment, so AppConfig
 * reads one source of truth and flags win.
 */
import { Options } from "@effect/cli"
import { PlatformConfigProvider } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { ConfigProvider, Effect, Layer, Option } from "effect"
import * as fs from "node:fs"

const text = (flag: string, env: string, description: string) =>
  Options.text(flag).pipe(
    Options.withDescription(`${description} (env ${env})`),
    Options.optional,
    Options.map((value) => Option.map(value, (v) => [env, v] as const))
  )

export const settingsOptions = {
  host: text("host", "HOST", "address to listen on; default 127.0.0.1"),
  port: text("port", "PORT", "HTTP and Socket.IO port; default 5003"),
  config: text("config", "RADARS_CONFIG", "radar list file; default radars.config.json"),
  canadaAddr: text("canada-addr", "CANADA_ADDR", "host:port of the SuperDARN Canada ZeroMQ publisher"),
  maxDays: text("max-days-store-echoes", "MAX_DAYS_STORE_ECHOES", "days of echo counts to keep; default 30"),
  databasePath: text("database-path", "DATABASE_PATH", "SQLite file; default ./data/superdarn-hub.sqlite"),
  corsOrigins: text("cors-origins", "CORS_ORIGINS", "comma-separated allowed origins; default localhost"),
  logLevel: text("log-level", "LOG_LEVEL", "trace|debug|info|warn|error; default info"),
  logFormat: text("log-format", "LOG_FORMAT", "logfmt|json; default logfmt"),
  stallSeconds: text("stall-seconds", "STALL_SECONDS", "silence before a radar counts as stalled; default 120"),
  scanIdleSeconds: text("scan-idle-seconds", "SCAN_IDLE_SECONDS", "silence that closes an open scan; default 180"),
  envFile: Options.file("env-file").pipe(
    Options.withDescription("dotenv file to load; default .env when present"),
    Options.optional
  )
}

export type SettingsFlags = {
  readonly [K in Exclude<keyof typeof settingsOptions, "envFile">]: Option.Option<readonly [string, string]>
} & { readonly envFile: Option.Option<string> }

export const settingsOption = Options.all(settingsOptions)

/**
 * The ConfigProvider for a command: flags, then the dotenv file, then the
 * environment. A dotenv file named explicitly must exist; `.env` is optional.
 */
export const settingsProviderLayer = (flags: SettingsFlags): Layer.Layer<never> => {
  const entries = new Map<string, string>()
  for (const [key, value] of Object.entries(flags)) {
    if (key === "envFile") continue
    Option.map(value as Option.Option<readonly [string, string]>, ([env, v]) => entries.set(env, v))
  }
  const envFile = Option.getOrElse(flags.envFile, () => ".env")
  const dotenv = Option.isSome(flags.envFile) || fs.existsSync(envFile)
    ? PlatformConfigProvider.fromDotEnv(envFile).pipe(
      Effect.provide(NodeFileSystem.layer),
      Effect.orDie
    )
    : Effect.succeed(ConfigProvider.fromEnv())
  return Layer.unwrapEffect(
    Effect.map(dotenv, (fileProvider) =>
      Layer.setConfigProvider(
        ConfigProvider.fromMap(entries).pipe(
          ConfigProvider.orElse(() => ConfigProvider.fromEnv()),
          ConfigProvider.orElse(() => fileProvider)
        )
      ))
  )
}
