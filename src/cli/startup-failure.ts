/**
 * How a long-running command fails: one line on stderr naming what is wrong,
 * and exit code 1. An operator reading `systemctl status` or a newcomer
 * running `npm run demo` sees the cause, not a stack trace or a log dump.
 */
import * as Cause from "effect/Cause"
import * as ConfigError from "effect/ConfigError"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import { parseLogLevel } from "../layers/platform/AppConfig.js"
import { logLevelFlag } from "./settings-options.js"

/** The exit status of a mistake in the command line itself (as getopt-style tools use). */
export const USAGE_EXIT_CODE = 2

/** A command line that cannot be run as written; exit status 2 and a pointer to `--help`. */
export class UsageError extends Data.TaggedError("UsageError")<{
  readonly command: string
  readonly problem: string
}> {
  override get message(): string {
    return `${this.problem}; run 'superdarn-hub ${this.command} --help'`
  }
}

/** What the system's error codes mean to an operator starting a server. */
const SYSTEM_CODES: Readonly<Record<string, string>> = {
  EADDRINUSE: "the port is already in use",
  EACCES: "permission denied",
  EADDRNOTAVAIL: "the address is not one of this machine's",
  ENOTFOUND: "the host name does not resolve",
  EROFS: "the file system is read-only",
  ENOSPC: "the disk is full"
}

const explainCodes = (text: string): string =>
  text.replace(/\b(E[A-Z]{3,})\b(?!\s*\()/g, (code: string) => {
    const meaning = SYSTEM_CODES[code]
    return meaning === undefined ? code : `${code} (${meaning})`
  })

const configLeaves = (error: ConfigError.ConfigError): ReadonlyArray<string> => {
  switch (error._op) {
    case "And":
    case "Or":
      return [...configLeaves(error.left), ...configLeaves(error.right)]
    default: {
      const key = error.path.join(".")
      return [key === "" || error.message.startsWith(key) ? error.message : `${key}: ${error.message}`]
    }
  }
}

const firstLine = (text: string): string => text.split("\n").find((line) => line.trim() !== "")?.trim() ?? text

/** A message listing several problems becomes one line; stack frames are dropped. */
const oneLine = (text: string): string =>
  text.split("\n").map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("at ")).join("; ")

const describeError = (error: unknown): string => {
  if (ConfigError.isConfigError(error)) return [...new Set(configLeaves(error))].join("; ")
  if (error instanceof Error || (typeof error === "object" && error !== null && "message" in error)) {
    const message = String((error as { message: unknown }).message)
    if (message !== "") return message
  }
  if (typeof error === "object" && error !== null && "_tag" in error) return String(error._tag)
  return String(error)
}

/**
 * Whether the operator asked for debug detail: `--log-level debug` (or
 * trace, all) on the command line, else LOG_LEVEL in the environment.
 */
export const debugWanted = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv): boolean => {
  const level = parseLogLevel(Option.getOrElse(logLevelFlag(args), () => env["LOG_LEVEL"] ?? "info"))
  return level !== undefined && LogLevel.lessThanEqual(level, LogLevel.Debug)
}

/** The one line for a failed start: the first failure, else the first defect. */
export const startupFailureLine = (command: string, cause: Cause.Cause<unknown>): string => {
  const reason = Option.match(Cause.failureOption(cause), {
    onSome: describeError,
    onNone: () =>
      Option.match(Cause.dieOption(cause), {
        onSome: (defect) => `unexpected error: ${describeError(defect)}`,
        onNone: () => firstLine(Cause.pretty(cause))
      })
  })
  return `superdarn-hub${command === "" ? "" : ` ${command}`}: ${explainCodes(oneLine(reason))}`
}

/**
 * Runs a command's main effect; a failure or defect becomes one stderr line
 * and exit code 1 (2 for a UsageError), with the whole cause after it only
 * when the log level is debug or finer. Interruption (SIGINT/SIGTERM) is a
 * normal stop: exit 0. The exit code is set rather than forced so every
 * finalizer has already run and Node exits once the event loop drains.
 */
export const exitOnFailure =
  (command: string) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<void, never, R> =>
    self.pipe(
      Effect.asVoid,
      Effect.catchAllCause((cause) =>
        Cause.isInterruptedOnly(cause)
          ? Effect.void
          : Effect.sync(() => {
            process.stderr.write(`${startupFailureLine(command, cause)}\n`)
            if (debugWanted(process.argv.slice(2), process.env)) process.stderr.write(`${Cause.pretty(cause)}\n`)
            const usage = Option.exists(Cause.failureOption(cause), (e) => e instanceof UsageError)
            process.exitCode = usage ? USAGE_EXIT_CODE : 1
          })
      )
    )
