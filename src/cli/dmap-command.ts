/**
 * `superdarn-hub dmap dump FILE...` and `superdarn-hub dmap info FILE...`:
 * look inside DMAP files (plain, .bz2 or .gz, recognised by content).
 *
 * Each file is read as a stream, so files of any size use constant memory.
 * A bad file does not stop the others: its good records are printed, then a
 * line on stderr names the file, the reason and the byte offset, and the
 * command exits non-zero at the end.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import { Context, Data, Effect, Layer, Stream } from "effect"
import { type DataFile, type DataFileError, openDataFile } from "../compression/data-file.js"
import type { DmapDecodeError } from "../dmap/errors.js"
import { DmapFileSummary } from "../dmap/file-summary.js"
import { JsonLines } from "../dmap/json-line.js"
import type { DmapRecord } from "../dmap/types.js"
import { dmapRecords } from "../streams/dmap-records.js"

/** Writing to stdout failed, typically because the reader went away (EPIPE). */
export class OutputClosed extends Data.TaggedError("OutputClosed")<{ readonly detail: string }> {
  override get message(): string {
    return `cannot write output: ${this.detail}`
  }
}

/** Where the dmap commands write: stdout for data, stderr for problems. */
export class DmapOutput extends Context.Tag("superdarn-hub/DmapOutput")<DmapOutput, {
  /** Resolves once the text was handed to the OS: that is the backpressure. */
  readonly stdout: (text: string) => Effect.Effect<void, OutputClosed>
  readonly stderr: (text: string) => Effect.Effect<void>
}>() {}

/** Some files could not be read completely; each was already reported on stderr. */
export class DmapCommandError extends Data.TaggedError("DmapCommandError")<{
  readonly command: "dump" | "info"
  readonly failed: ReadonlyArray<string>
}> {
  override get message(): string {
    return `dmap ${this.command}: ${this.failed.length} file(s) could not be read completely: ${this.failed.join(", ")}`
  }
}

const writeTo = (stream: NodeJS.WriteStream) => (text: string): Effect.Effect<void, OutputClosed> =>
  Effect.async<void, OutputClosed>((resume) => {
    stream.write(text, (error) => {
      resume(error === null || error === undefined ? Effect.void : Effect.fail(new OutputClosed({ detail: error.message })))
    })
  })

/**
 * The process's stdout and stderr. Their write errors (EPIPE when piped into
 * `head`) reach us through the write callbacks; the listener only keeps Node
 * from also treating them as uncaught.
 */
export const DmapOutputLive = Layer.scoped(
  DmapOutput,
  Effect.acquireRelease(
    Effect.sync(() => {
      const ignore = () => {}
      process.stdout.on("error", ignore)
      return ignore
    }),
    (ignore) => Effect.sync(() => process.stdout.off("error", ignore))
  ).pipe(
    Effect.as({
      stdout: writeTo(process.stdout),
      stderr: (text: string) => Effect.ignore(writeTo(process.stderr)(text))
    })
  )
)

type FileError = DataFileError | DmapDecodeError

/** Decode offsets count DMAP bytes; say so when those are not the file's own bytes. */
const decodeProblem = (file: DataFile, error: DmapDecodeError): string =>
  `${file.path}: ${error.message}${
    file.compression === "none" ? "" : ` (offset in the ${file.compression}-decompressed data)`
  }`

/**
 * Runs `work` on each file in turn; a file's failure is reported and the
 * next file is still processed. Fails at the end if any file failed.
 */
const eachFile = (
  command: "dump" | "info",
  paths: ReadonlyArray<string>,
  work: (
    file: DataFile,
    records: Stream.Stream<DmapRecord, FileError>
  ) => Effect.Effect<void, OutputClosed | FileError, DmapOutput>
): Effect.Effect<void, OutputClosed | DmapCommandError, DmapOutput> =>
  Effect.gen(function*() {
    const output = yield* DmapOutput
    const failed: Array<string> = []
    for (const path of paths) {
      const problem = yield* openDataFile(path).pipe(
        Effect.flatMap((file) =>
          work(file, file.bytes.pipe(dmapRecords())).pipe(
            Effect.as<string | undefined>(undefined),
            Effect.catchTag("DmapDecodeError", (error) => Effect.succeed(decodeProblem(file, error)))
          )
        ),
        Effect.catchTag("DataFileError", (error) => Effect.succeed(error.message))
      )
      if (problem !== undefined) {
        failed.push(path)
        yield* output.stderr(`dmap ${command}: ${problem}\n`)
      }
    }
    if (failed.length > 0) return yield* new DmapCommandError({ command, failed })
  })

/**
 * Writes each record as a JSON line in one pass: records are decoded as the
 * bytes arrive and their lines written in texts of bounded size, each write
 * awaited before more input is read. The lines of the good records before a
 * decode error are written before the error is reported.
 */
export const dumpFiles = (paths: ReadonlyArray<string>): Effect.Effect<void, OutputClosed | DmapCommandError, DmapOutput> =>
  eachFile("dump", paths, (_file, records) =>
    Effect.gen(function*() {
      const output = yield* DmapOutput
      const lines = new JsonLines()
      const read = yield* records.pipe(
        Stream.runForEachChunk((chunk) => {
          for (const record of chunk) lines.add(record)
          return Effect.forEach(lines.takeFull(), output.stdout, { discard: true })
        }),
        Effect.exit
      )
      yield* Effect.forEach(lines.takeAll(), output.stdout, { discard: true })
      return yield* read
    }))

const isoTime = (epochMs: number | undefined): string =>
  epochMs === undefined ? "-" : new Date(epochMs).toISOString()

export const formatSummary = (
  file: DataFile,
  summary: DmapFileSummary,
  dmapBytes: number
): string => {
  const stations = [...summary.stations].sort((a, b) => a - b)
  return [
    file.path,
    `  records   ${summary.records}`,
    `  format    ${summary.formats.size === 0 ? "-" : [...summary.formats].join(", ")}`,
    `  stations  ${stations.length === 0 ? "-" : stations.join(", ")}`,
    `  from      ${isoTime(summary.from)}`,
    `  to        ${isoTime(summary.to)}`,
    `  bytes     ${dmapBytes} DMAP, ${file.fileBytes} on disk (${file.compression === "none" ? "uncompressed" : file.compression})`,
    ""
  ].join("\n")
}

/** Prints a summary per file; for a bad file, the summary of the records before the error. */
export const infoFiles = (paths: ReadonlyArray<string>): Effect.Effect<void, OutputClosed | DmapCommandError, DmapOutput> =>
  eachFile("info", paths, (file) =>
    Effect.gen(function*() {
      const output = yield* DmapOutput
      const summary = new DmapFileSummary()
      let dmapBytes = 0
      const counted = file.bytes.pipe(
        Stream.tap((chunk) =>
          Effect.sync(() => {
            dmapBytes += chunk.length
          })
        )
      )
      const result = yield* counted.pipe(
        dmapRecords(),
        Stream.runForEach((record) => Effect.sync(() => summary.add(record))),
        Effect.either
      )
      yield* output.stdout(formatSummary(file, summary, dmapBytes))
      if (result._tag === "Left") return yield* result.left
    }))

const files = Args.text({ name: "FILE" }).pipe(
  Args.withDescription("a DMAP file: plain, bzip2 or gzip compressed (recognised by content)"),
  Args.atLeast(1)
)

/**
 * The failures were already reported on stderr, each in one clean line; only
 * the exit status remains to be set. Failing the effect instead would make
 * the runtime log the error again, and its logger writes to stdout, which
 * must carry nothing but JSON lines. A closed stdout (`| head`) ends quietly.
 */
const exitNonZeroOnFailure = <R>(
  command: Effect.Effect<void, OutputClosed | DmapCommandError, R>
): Effect.Effect<void, never, R> =>
  Effect.catchAll(command, () =>
    Effect.sync(() => {
      process.exitCode = 1
    }))

const dumpCommand = Command.make("dump", { files }, ({ files }) => exitNonZeroOnFailure(dumpFiles(files))).pipe(
  Command.withDescription(
    "Print every record as one JSON object per line: keys in file order, arrays nested in their " +
      "user-facing shape, NaN/Infinity as strings, 64-bit integers exact"
  )
)

const infoCommand = Command.make("info", { files }, ({ files }) => exitNonZeroOnFailure(infoFiles(files))).pipe(
  Command.withDescription("Print per file: records, format (guessed from the fields), stations, time span and bytes")
)

export const dmapCommand = Command.make("dmap").pipe(
  Command.withDescription("Look inside DMAP files (fitacf, rawacf, iqdat, grid, map, snd)"),
  Command.withSubcommands([dumpCommand, infoCommand]),
  Command.provide(DmapOutputLive)
)
