/**
 * Every process setting as a command-line flag. Flags given on the command line
 * become a ConfigProvider layered over the environment and the dotenv file, so
 * AppConfig reads one source of truth and flags win.
 *
 * Each flag is typed and checked by the same rule as its variable, so a bad
 * flag is a usage error naming the flag (`--port must be …`), never the
 * variable it feeds. Defaults are the variables' (AppConfig); a flag only
 * overrides when given, which is why none carries an @effect/cli default.
 */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as PlatformConfigProvider from "@effect/platform/PlatformConfigProvider"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import { describeUnknown } from "../domain/unknown-error.js"
import { LOG_FORMATS, parseEndpoint, PORT_EXPECTED, POSITIVE_EXPECTED } from "../layers/platform/AppConfig.js"
import { ROLES } from "../layers/platform/Deployment.js"

type Setting = Option.Option<readonly [env: string, value: string]>

const described = (env: string, description: string, fallback: string) =>
  `${description}; default ${fallback} (env ${env})`

const refuse = (flag: string, text: string) => Effect.fail(ValidationError.invalidValue(HelpDoc.p(`--${flag} ${text}`)))

/** A flag feeding the variable `env`: optional, and when given, the variable's value as text. */
const asSetting = <A>(env: string, option: Options.Options<A>): Options.Options<Setting> =>
  option.pipe(Options.optional, Options.map(Option.map((value) => [env, String(value)] as const)))

const textSetting = (flag: string, env: string, description: string, fallback: string) =>
  asSetting(env, Options.text(flag).pipe(Options.withDescription(described(env, description, fallback))))

/**
 * A path as text: `Options.file` probes the path while parsing and turns an
 * odd one (a file where a folder should be) into a defect; the code that
 * opens the path says what is wrong with it.
 */
const pathOption = (flag: string) => Options.text(flag).pipe(Options.withPseudoName("file"))

const pathSetting = (flag: string, env: string, description: string, fallback: string) =>
  asSetting(env, pathOption(flag).pipe(Options.withDescription(described(env, description, fallback))))

const integerSetting = (
  flag: string,
  env: string,
  description: string,
  fallback: number,
  rule: { readonly ok: (n: number) => boolean; readonly expected: string }
) =>
  asSetting(
    env,
    Options.integer(flag).pipe(
      Options.withDescription(described(env, description, String(fallback))),
      Options.mapEffect((n) => rule.ok(n) ? Effect.succeed(n) : refuse(flag, `${rule.expected}, got ${n}`))
    )
  )

const port = { ok: (n: number) => n >= 0 && n <= 65535, expected: PORT_EXPECTED }
const positive = { ok: (n: number) => n > 0, expected: POSITIVE_EXPECTED }

export const settingsOptions = {
  host: textSetting("host", "HOST", "address to listen on", "127.0.0.1"),
  port: integerSetting("port", "PORT", "HTTP and Socket.IO port, 0 for any free one", 5003, port),
  config: pathSetting("config", "RADARS_CONFIG", "the radar list (JSON)", "radars.config.json"),
  archiveConfig: pathSetting(
    "archive-config",
    "ARCHIVE_CONFIG",
    "archive collector config (JSON): run its collectors in this process",
    "none"
  ),
  canadaAddr: asSetting(
    "CANADA_ADDR",
    Options.text("canada-addr").pipe(
      Options.withDescription(
        described("CANADA_ADDR", "host:port of the SuperDARN Canada ZeroMQ publisher", "none (no Canada feed)")
      ),
      Options.mapEffect((text) =>
        Either.match(parseEndpoint(text), {
          onLeft: (why) => refuse("canada-addr", why),
          onRight: () => Effect.succeed(text)
        })
      )
    )
  ),
  maxDays: integerSetting(
    "max-days-store-echoes",
    "MAX_DAYS_STORE_ECHOES",
    "days of echo counts to keep",
    30,
    positive
  ),
  databasePath: pathSetting(
    "database-path",
    "DATABASE_PATH",
    "the SQLite database file",
    "./data/superdarn-hub.sqlite"
  ),
  corsOrigins: textSetting(
    "cors-origins",
    "CORS_ORIGINS",
    "comma-separated origins allowed to call the API from a browser",
    "http://localhost:* and http://127.0.0.1:*"
  ),
  logFormat: asSetting(
    "LOG_FORMAT",
    Options.choice("log-format", LOG_FORMATS).pipe(
      Options.withDescription(described("LOG_FORMAT", "log line format", "logfmt"))
    )
  ),
  stallSeconds: integerSetting(
    "stall-seconds",
    "STALL_SECONDS",
    "seconds of silence before a radar counts as stalled",
    120,
    positive
  ),
  scanIdleSeconds: integerSetting(
    "scan-idle-seconds",
    "SCAN_IDLE_SECONDS",
    "seconds of silence that close an open scan",
    180,
    positive
  ),
  role: asSetting(
    "ROLE",
    Options.choice("role", ROLES).pipe(
      Options.withDescription(
        described("ROLE", "all (one process), ingest (radars, lease-guarded) or edge (clients only)", "all")
      )
    )
  ),
  databaseUrl: textSetting(
    "database-url",
    "DATABASE_URL",
    "postgres://… to store scans in PostgreSQL",
    "none (SQLite at DATABASE_PATH)"
  ),
  redisUrl: textSetting("redis-url", "REDIS_URL", "redis://… shared by the ingest and edge roles", "none"),
  alertHoldSeconds: integerSetting(
    "alert-hold-seconds",
    "ALERT_HOLD_SECONDS",
    "seconds a radar's outage (or its return) must last before it is notified",
    300,
    positive
  ),
  alertWebhookUrls: textSetting(
    "alert-webhook-urls",
    "ALERT_WEBHOOK_URLS",
    "comma-separated URLs to POST alerts to",
    "none"
  ),
  alertWebhookSecret: textSetting(
    "alert-webhook-secret",
    "ALERT_WEBHOOK_SECRET",
    "key of the HMAC-SHA256 signature of each alert POST",
    "none (unsigned)"
  ),
  alertEmailTo: textSetting(
    "alert-email-to",
    "ALERT_EMAIL_TO",
    "comma-separated addresses to e-mail alerts to",
    "none"
  ),
  alertEmailFrom: textSetting(
    "alert-email-from",
    "ALERT_EMAIL_FROM",
    "sender of alert e-mails",
    "superdarn-hub@localhost"
  ),
  smtpHost: textSetting("smtp-host", "SMTP_HOST", "SMTP server for alert e-mails", "none"),
  smtpPort: integerSetting("smtp-port", "SMTP_PORT", "SMTP port", 25, port),
  smtpSecure: asSetting(
    "SMTP_SECURE",
    Options.choice("smtp-secure", ["true", "false"] as const).pipe(
      Options.withDescription(described("SMTP_SECURE", "TLS from the start (port 465)", "false"))
    )
  ),
  smtpUser: textSetting("smtp-user", "SMTP_USER", "SMTP user", "none"),
  smtpPassword: textSetting("smtp-password", "SMTP_PASSWORD", "SMTP password", "none"),
  // Not --env-file: Node 20 takes that flag for itself even after the script name.
  dotenv: pathOption("dotenv").pipe(
    Options.withDescription(
      "dotenv file of settings (KEY=value lines); default .env in the working directory when present"
    ),
    Options.optional
  )
}

export type SettingsFlags =
  & {
    readonly [K in Exclude<keyof typeof settingsOptions, "dotenv">]: Setting
  }
  & { readonly dotenv: Option.Option<string> }

export const settingsOption = Options.all(settingsOptions)

/**
 * `--log-level` belongs to @effect/cli: its built-in option is parsed before
 * any command's, and the command is run again without it. So there is one
 * `--log-level` (the built-in, with its choices in every help page), and its
 * value is read back from the command line here to feed LOG_LEVEL, where it
 * wins over the environment like every other flag.
 */
export const logLevelFlag = (argv: ReadonlyArray<string>): Option.Option<string> => {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "--") break
    if (arg === "--log-level" && i + 1 < argv.length) return Option.some(argv[i + 1]!)
    if (arg.startsWith("--log-level=")) return Option.some(arg.slice("--log-level=".length))
  }
  return Option.none()
}

/** A dotenv file that was named but cannot be read or parsed. */
export class DotenvError extends Data.TaggedError("DotenvError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return `${this.path}: ${this.reason}`
  }
}

/**
 * The ConfigProvider for a command: flags, then the environment, then the
 * dotenv file. A dotenv file named by `--dotenv` must exist; `.env` is optional.
 */
export const settingsProviderLayer = (
  flags: SettingsFlags,
  argv: ReadonlyArray<string> = process.argv.slice(2)
): Layer.Layer<never, DotenvError> => {
  const entries = new Map<string, string>()
  for (const [key, value] of Object.entries(flags)) {
    if (key === "dotenv") continue
    Option.map(value as Setting, ([env, v]) => entries.set(env, v))
  }
  Option.map(logLevelFlag(argv), (level) => entries.set("LOG_LEVEL", level))
  const dotenvPath = Option.getOrElse(flags.dotenv, () => ".env")
  const dotenv = Option.isSome(flags.dotenv) && !fs.existsSync(dotenvPath)
    ? Effect.fail(new DotenvError({ path: dotenvPath, reason: "no such file (named by --dotenv)" }))
    : fs.existsSync(dotenvPath)
    ? PlatformConfigProvider.fromDotEnv(dotenvPath).pipe(
      Effect.provide(NodeFileSystem.layer),
      Effect.mapError((error) => new DotenvError({ path: dotenvPath, reason: describeUnknown(error) }))
    )
    : Effect.succeed(ConfigProvider.fromMap(new Map()))
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
