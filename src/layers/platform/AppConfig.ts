/**
 * Process settings. Read through Effect Config, so the same keys come from the
 * environment, a `.env` file or command-line flags (src/cli/settings-options.ts
 * layers a flag ConfigProvider over the environment and the dotenv file).
 * Every value is validated; a bad value stops start-up with one message naming
 * the key, what was expected and what was given.
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

const Port = Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, 65535))
/** Shared with the command-line flags, which check the same rules before a ConfigProvider sees them. */
export const PORT_EXPECTED = "must be an integer 0-65535"

const PositiveInt = Schema.NumberFromString.pipe(Schema.int(), Schema.positive())
export const POSITIVE_EXPECTED = "must be a positive integer"

/** `host:port` of a ZeroMQ publisher. */
export interface Endpoint {
  readonly host: string
  readonly port: number
}

export const parseEndpoint = (text: string): Either.Either<Endpoint, string> => {
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text.trim())
  if (match === null) return Either.left(`must be host:port, got "${text}"`)
  const port = Number(match[2])
  if (port < 1 || port > 65535) return Either.left(`port must be 1-65535, got "${match[2]}"`)
  return Either.right({ host: match[1]!.replace(/^\[|\]$/g, ""), port })
}

/** Origins allowed by default: http://localhost and http://127.0.0.1 on any port. */
export const DEFAULT_CORS_ORIGINS: ReadonlyArray<string> = ["http://localhost:*", "http://127.0.0.1:*"]

export const LOG_FORMATS = ["logfmt", "json"] as const
export type LogFormat = (typeof LOG_FORMATS)[number]

/**
 * A LOG_LEVEL value as a level. Effect names them trace … fatal, off, all;
 * operators also write the syslog word "warning", and @effect/cli's
 * `--log-level` offers "none" for off.
 */
export const parseLogLevel = (raw: string): LogLevel.LogLevel | undefined => {
  const word = raw.trim().toLowerCase()
  const label = word === "warning" ? "warn" : word === "none" ? "off" : word
  return LogLevel.allLevels.find((level) => level.label.toLowerCase() === label)
}

/** Read one key through a Schema, failing with "KEY must ..., got "value"". */
const schemaConfig = <A>(key: string, schema: Schema.Schema<A, string>, expected: string) =>
  Config.string(key).pipe(
    Config.mapOrFail((raw) =>
      Schema.decodeEither(schema)(raw.trim()).pipe(
        Either.mapLeft(() => ConfigError.InvalidData([], `${key} ${expected}, got "${raw}"`))
      )
    )
  )

const commaList = (raw: string): ReadonlyArray<string> =>
  raw.split(",").map((s) => s.trim()).filter((s) => s.length > 0)

/**
 * Alert e-mail: ALERT_EMAIL_TO turns it on, and then SMTP_HOST is required.
 * The SMTP settings have the archive notifier's shape (src/layers/platform/smtp.ts).
 */
const alertEmailConfig = Config.option(Config.string("ALERT_EMAIL_TO")).pipe(
  Config.map(Option.map(commaList)),
  Config.mapOrFail((to) =>
    Option.isSome(to) && to.value.length === 0
      ? Either.left(ConfigError.InvalidData([], "ALERT_EMAIL_TO must be comma-separated e-mail addresses, got none"))
      : Either.right(to)
  ),
  Config.zip(Config.all({
    host: Config.option(Config.string("SMTP_HOST")),
    port: schemaConfig("SMTP_PORT", Port, PORT_EXPECTED).pipe(Config.withDefault(25)),
    secure: Config.boolean("SMTP_SECURE").pipe(Config.withDefault(false)),
    user: Config.option(Config.string("SMTP_USER")),
    password: Config.option(Config.string("SMTP_PASSWORD")),
    from: Config.string("ALERT_EMAIL_FROM").pipe(Config.withDefault("superdarn-hub@localhost"))
  })),
  Config.mapOrFail(([to, smtp]) => {
    if (Option.isNone(to)) return Either.right(Option.none())
    if (Option.isNone(smtp.host)) {
      return Either.left(ConfigError.InvalidData([], "SMTP_HOST must be set when ALERT_EMAIL_TO is"))
    }
    return Either.right(Option.some({
      smtp: {
        host: smtp.host.value,
        port: smtp.port,
        secure: smtp.secure,
        ...(Option.isSome(smtp.user) ? { user: smtp.user.value } : {}),
        ...(Option.isSome(smtp.password) ? { password: smtp.password.value } : {})
      },
      from: smtp.from,
      to: to.value
    }))
  })
)

const appConfig = Config.all({
  host: Config.string("HOST").pipe(Config.withDefault("127.0.0.1")),
  port: schemaConfig("PORT", Port, PORT_EXPECTED).pipe(Config.withDefault(5003)),
  canadaAddr: Config.option(
    Config.string("CANADA_ADDR").pipe(
      Config.mapOrFail((raw) =>
        parseEndpoint(raw).pipe(Either.mapLeft((why) => ConfigError.InvalidData([], `CANADA_ADDR ${why}`)))
      )
    )
  ),
  maxDaysStoreEchoes: schemaConfig("MAX_DAYS_STORE_ECHOES", PositiveInt, POSITIVE_EXPECTED).pipe(
    Config.withDefault(30)
  ),
  databasePath: Config.string("DATABASE_PATH").pipe(Config.withDefault("./data/superdarn-hub.sqlite")),
  corsOrigins: Config.string("CORS_ORIGINS").pipe(
    Config.map((raw) => raw.split(",").map((s) => s.trim()).filter((s) => s.length > 0)),
    Config.withDefault(DEFAULT_CORS_ORIGINS)
  ),
  logLevel: Config.string("LOG_LEVEL").pipe(
    Config.mapOrFail((raw) =>
      Either.fromNullable(
        parseLogLevel(raw),
        () =>
          ConfigError.InvalidData(
            [],
            `LOG_LEVEL must be one of trace, debug, info, warn (or warning), error, fatal, off (or none), all, got "${raw}"`
          )
      )
    ),
    Config.withDefault(LogLevel.Info)
  ),
  // Not Config.literal: its failure reads "Expected LOG_FORMAT to exist in the provided map" first.
  logFormat: Config.string("LOG_FORMAT").pipe(
    Config.mapOrFail((raw) => {
      const format = LOG_FORMATS.find((f) => f === raw.trim().toLowerCase())
      return format === undefined
        ? Either.left(ConfigError.InvalidData([], `LOG_FORMAT must be logfmt or json, got "${raw}"`))
        : Either.right(format)
    }),
    Config.withDefault<LogFormat>("logfmt")
  ),
  radarsConfigPath: Config.string("RADARS_CONFIG").pipe(Config.withDefault("radars.config.json")),
  stallSeconds: schemaConfig("STALL_SECONDS", PositiveInt, POSITIVE_EXPECTED).pipe(Config.withDefault(120)),
  scanIdleSeconds: schemaConfig("SCAN_IDLE_SECONDS", PositiveInt, POSITIVE_EXPECTED).pipe(Config.withDefault(180)),
  alertHoldSeconds: schemaConfig("ALERT_HOLD_SECONDS", PositiveInt, POSITIVE_EXPECTED).pipe(Config.withDefault(300)),
  alertWebhookUrls: Config.string("ALERT_WEBHOOK_URLS").pipe(
    Config.mapOrFail((raw) => {
      const urls = commaList(raw)
      const bad = urls.find((url) => !/^https?:\/\/[^\s]+$/.test(url) || !URL.canParse(url))
      return bad === undefined
        ? Either.right(urls)
        : Either.left(
          ConfigError.InvalidData([], `ALERT_WEBHOOK_URLS must be comma-separated http(s) URLs, got "${bad}"`)
        )
    }),
    Config.withDefault<ReadonlyArray<string>>([])
  ),
  alertWebhookSecret: Config.option(Config.redacted("ALERT_WEBHOOK_SECRET")),
  alertEmail: alertEmailConfig
})

export class AppConfig extends Effect.Service<AppConfig>()("superdarn-hub/AppConfig", {
  effect: appConfig
}) {}
