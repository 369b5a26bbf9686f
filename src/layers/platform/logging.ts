/**
 * Structured process logs: logfmt by default, JSON with LOG_FORMAT=json, and
 * the minimum level from LOG_LEVEL. Log annotations (`site`, `transport`, …)
 * become fields, so `journalctl -u superdarn-hub | grep site=sas` or
 * `jq 'select(.annotations.site == "sas")'` find one radar's story.
 *
 * Lines go to stdout through the Console service; stderr is kept for the one
 * line a command prints when it cannot start.
 */
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as HashSet from "effect/HashSet"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import type * as LogLevel from "effect/LogLevel"
import { AppConfig, type LogFormat } from "./AppConfig.js"

export interface LoggingSettings {
  readonly format: LogFormat
  readonly level: LogLevel.LogLevel
}

/** The line formatter for a LOG_FORMAT value. */
export const lineLogger = (format: LogFormat): Logger.Logger<unknown, string> =>
  format === "json" ? Logger.jsonLogger : Logger.logfmtLogger

export const loggingLayer = (settings: LoggingSettings): Layer.Layer<never> =>
  Layer.merge(
    Layer.scopedDiscard(
      Effect.locallyScopedWith(FiberRef.currentLoggers, (loggers) =>
        loggers.pipe(
          // NodeRuntime.runMain swaps the default logger for the pretty one
          // before any layer runs, so both must go or every line would be
          // printed twice.
          HashSet.remove(Logger.defaultLogger),
          HashSet.remove(Logger.prettyLoggerDefault),
          HashSet.add(Logger.withConsoleLog(lineLogger(settings.format)))
        ))
    ),
    Logger.minimumLogLevel(settings.level)
  )

/** Logging as configured by LOG_FORMAT and LOG_LEVEL. */
export const LoggingLive: Layer.Layer<never, never, AppConfig> = Layer.unwrapEffect(
  Effect.map(AppConfig, (config) => loggingLayer({ format: config.logFormat, level: config.logLevel }))
)
