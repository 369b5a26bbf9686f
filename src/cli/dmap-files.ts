/**
 * What `dmap dump` and `dmap info` do, loaded by their handlers only when
 * one of them runs (see dmap-command.ts): decoding files as their bytes
 * arrive, JSON lines or a summary per file, and messages that say where a
 * bad file goes wrong.
 *
 * Each file is read as a stream, so files of any size use constant memory.
 * A bad file does not stop the others: its good records are printed, then a
 * line on stderr names the file, the reason and the byte offset, and the
 * command exits non-zero at the end.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { type DataFile, type DataFileError, openDataFile } from "../compression/data-file.js"
import type { DmapDecodeError } from "../dmap/errors.js"
import { DmapFileSummary } from "../dmap/file-summary.js"
import { JsonLineWriter } from "../dmap/json-line.js"
import { DmapRecordDecoder } from "../dmap/record-decoder.js"
import type { DmapRecord } from "../dmap/types.js"

/** Writing to stdout failed, typically because the reader went away (EPIPE). */
export class OutputClosed extends Data.TaggedError("OutputClosed")<{ readonly detail: string }> {
  override get message(): string {
    return `cannot write output: ${this.detail}`
  }
}

/** Where the dmap commands write: stdout for data, stderr for problems. */
export class DmapOutput extends Context.Tag("superdarn-hub/DmapOutput")<DmapOutput, {
  /**
   * Resolves once the data was handed to the OS: that is the backpressure,
   * and from then on the caller may write over the bytes it passed.
   */
  readonly stdout: (data: string | Uint8Array) => Effect.Effect<void, OutputClosed>
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

const writeTo = (stream: NodeJS.WriteStream) => (data: string | Uint8Array): Effect.Effect<void, OutputClosed> =>
  Effect.async<void, OutputClosed>((resume) => {
    stream.write(data, (error) => {
      resume(
        error === null || error === undefined ? Effect.void : Effect.fail(new OutputClosed({ detail: error.message }))
      )
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

/** What the command has seen of one file so far, for messages that say where it went wrong. */
interface Seen {
  /** Complete records decoded. */
  records: number
  /** DMAP bytes read (after decompression). */
  bytes: number
  /** The first bytes of the DMAP data, to show what a file that is not DMAP starts with. */
  head: Uint8Array
}

const HEAD_BYTES = 8

/** Every DMAP record starts with this code (little-endian 65537). */
const RECORD_CODE_BYTES = [0x01, 0x00, 0x01, 0x00]

const hexBytes = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ")

/**
 * A decode failure in words a scientist reads without the DMAP spec: what is
 * wrong, which record, where the file ends. Offsets count DMAP bytes, which
 * for a compressed file are not the file's own bytes.
 */
export const decodeProblem = (file: DataFile, error: DmapDecodeError, seen: Readonly<Seen>): string => {
  const record = seen.records + 1
  const inData = file.compression === "none" ? "" : ` of the ${file.compression}-decompressed data`
  const startsLikeDmap = seen.head.length >= RECORD_CODE_BYTES.length &&
    RECORD_CODE_BYTES.every((byte, i) => seen.head[i] === byte)
  if (error.offset === 0 && (error.reason === "BadRecordCode" || !startsLikeDmap)) {
    return `not a DMAP file (starts with bytes ${hexBytes(seen.head)} …)`
  }
  if (error.reason === "Truncated") {
    const have = seen.bytes - error.offset
    const where = record === 1 ? "" : ` (from byte ${error.offset}${inData})`
    // Eight zero bytes announce a size too; only a size a record could have is worth repeating.
    return error.recordSize === undefined || error.recordSize < 16
      ? `truncated: record ${record}${where} is cut inside its header, the file ends ${have} bytes into it`
      : record === 1
      ? `truncated: record 1 needs ${error.recordSize} bytes, the file ends after ${have}`
      : `truncated: record ${record}${where} needs ${error.recordSize} bytes, the file ends ${have} bytes into it`
  }
  return `record ${record} (from byte ${error.offset}${inData}) is damaged: ${error.message}`
}

/** A file that decoded cleanly but held nothing is an error too: the user expected records. */
export class NoRecords extends Data.TaggedError("NoRecords")<{ readonly empty: boolean }> {
  override get message(): string {
    return this.empty ? "no records (the file is empty)" : "no records"
  }
}

/**
 * Decodes one file and hands its records to `handle` in batches as the
 * bytes arrive (one batch per chunk read), each handled before more is
 * read. The records complete before a decode error are handled before the
 * error fails the effect. Counts into `seen` what a failure message needs.
 */
const decodeFile = (
  file: DataFile,
  seen: Seen,
  handle: (records: ReadonlyArray<DmapRecord>) => Effect.Effect<void, OutputClosed>
): Effect.Effect<void, OutputClosed | FileError> =>
  Effect.suspend(() => {
    // Every batch is handled before the next chunk is read, so the records' memory is reused.
    const decoder = new DmapRecordDecoder({ transientRecords: true })
    const decoded = (records: ReadonlyArray<DmapRecord>, error: DmapDecodeError | undefined) => {
      seen.records += records.length
      const handled = records.length === 0 ? Effect.void : handle(records)
      return error === undefined ? handled : Effect.zipRight(handled, Effect.fail(error))
    }
    return file.eachChunk((chunk) =>
      Effect.suspend(() => {
        if (seen.head.length < HEAD_BYTES) {
          const head = new Uint8Array(Math.min(HEAD_BYTES, seen.head.length + chunk.length))
          head.set(seen.head)
          head.set(chunk.subarray(0, head.length - seen.head.length), seen.head.length)
          seen.head = head
        }
        seen.bytes += chunk.length
        const step = decoder.push(chunk)
        return decoded(step.records, step.error)
      })
    ).pipe(Effect.zipRight(Effect.suspend(() => decoded([], decoder.finish()))))
  })

/**
 * Runs `work` on each file in turn; a file's failure is reported and the
 * next file is still processed. Fails at the end if any file failed. `work`
 * gets the file's records through `eachBatch` (see `decodeFile`).
 */
const eachFile = (
  command: "dump" | "info",
  paths: ReadonlyArray<string>,
  work: (
    file: DataFile,
    eachBatch: (
      handle: (records: ReadonlyArray<DmapRecord>) => Effect.Effect<void, OutputClosed>
    ) => Effect.Effect<void, OutputClosed | FileError>,
    seen: Readonly<Seen>
  ) => Effect.Effect<void, OutputClosed | FileError, DmapOutput>
): Effect.Effect<void, OutputClosed | DmapCommandError, DmapOutput> =>
  Effect.gen(function*() {
    const output = yield* DmapOutput
    const failed: Array<string> = []
    for (const path of paths) {
      const seen: Seen = { records: 0, bytes: 0, head: new Uint8Array(0) }
      const problem = yield* openDataFile(path).pipe(
        Effect.flatMap((file) =>
          work(file, (handle) => decodeFile(file, seen, handle), seen).pipe(
            Effect.zipRight(
              Effect.suspend(() =>
                seen.records === 0 ? Effect.fail(new NoRecords({ empty: seen.bytes === 0 })) : Effect.void
              )
            ),
            Effect.as<string | undefined>(undefined),
            Effect.catchTags({
              DmapDecodeError: (error) => Effect.succeed(decodeProblem(file, error, seen)),
              NoRecords: (error) => Effect.succeed(error.message)
            }),
            Effect.map((problem) => (problem === undefined ? undefined : `${file.path}: ${problem}`))
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

/** Output is handed to stdout in pieces of about this size. */
const FLUSH_BYTES = 256 * 1024

/**
 * Writes each record as a JSON line in one pass: records are decoded as the
 * bytes arrive and their lines written into one reused buffer, handed to
 * stdout whenever it holds FLUSH_BYTES, each write awaited before the
 * buffer is written again. Memory stays flat whatever the file size. The
 * lines of the good records before a decode error are written before the
 * error is reported.
 */
export const dumpFiles = (
  paths: ReadonlyArray<string>
): Effect.Effect<void, OutputClosed | DmapCommandError, DmapOutput> =>
  eachFile("dump", paths, (_file, eachBatch) =>
    Effect.gen(function*() {
      const output = yield* DmapOutput
      const lines = new JsonLineWriter()
      const writeFrom = (records: ReadonlyArray<DmapRecord>, from: number): Effect.Effect<void, OutputClosed> => {
        for (let i = from; i < records.length; i++) {
          lines.add(records[i]!)
          if (lines.size >= FLUSH_BYTES) {
            return Effect.zipRight(output.stdout(lines.take()), Effect.suspend(() => writeFrom(records, i + 1)))
          }
        }
        return Effect.void
      }
      const read = yield* Effect.exit(eachBatch((records) => Effect.suspend(() => writeFrom(records, 0))))
      if (lines.size > 0) yield* output.stdout(lines.take())
      return yield* read
    }))

const isoTime = (epochMs: number | undefined): string => epochMs === undefined ? "-" : new Date(epochMs).toISOString()

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
    `  bytes     ${dmapBytes} DMAP, ${file.fileBytes} on disk (${
      file.compression === "none" ? "uncompressed" : file.compression
    })`,
    ""
  ].join("\n")
}

/** Prints a summary per file; for a bad file, the summary of the records before the error. */
export const infoFiles = (
  paths: ReadonlyArray<string>
): Effect.Effect<void, OutputClosed | DmapCommandError, DmapOutput> =>
  eachFile("info", paths, (file, eachBatch, seen) =>
    Effect.gen(function*() {
      const output = yield* DmapOutput
      const summary = new DmapFileSummary()
      const result = yield* eachBatch((records) =>
        Effect.sync(() => {
          for (const record of records) summary.add(record)
        })
      ).pipe(Effect.either)
      yield* output.stdout(formatSummary(file, summary, seen.bytes))
      if (result._tag === "Left") return yield* result.left
    }))

/**
 * The failures were already reported on stderr, each in one clean line; only
 * the exit status remains to be set. Failing the effect instead would make
 * the runtime log the error again, and its logger writes to stdout, which
 * must carry nothing but JSON lines. A closed stdout (`| head`) ends quietly.
 */
export const exitNonZeroOnFailure = <R>(
  command: Effect.Effect<void, OutputClosed | DmapCommandError, R>
): Effect.Effect<void, never, R> =>
  Effect.catchAll(command, () =>
    Effect.sync(() => {
      process.exitCode = 1
    }))
