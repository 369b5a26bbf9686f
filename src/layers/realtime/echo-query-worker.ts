/**
 * The query worker: its own read-only SQLite connection (WAL lets it read
 * while the main connection writes), its prepared statements held for the
 * life of the process, and the response body's bytes written right where the
 * rows are read and transferred (not copied) to the main thread, so neither
 * the query nor the JSON ever runs on the event loop.
 *
 * The worker runs the source of `echoQueryWorkerMain` (sent as text, so it
 * works the same from the TypeScript sources under vitest, from `tsc`'s dist
 * and from a bundle): the function must stay self-contained. It receives the
 * SQL already compiled by the EchoStore's statements, so the SQL has one home.
 */
import type { EchoSeriesCodec, EchoValueRow } from "./echo-series-codec.js"

/** What a job asks for: the rows as a JSON body, as CSV lines, or the first column of the first row. */
export type EchoJobMode = "json" | "csv" | "value"

export interface EchoJob {
  readonly id: number
  readonly mode: EchoJobMode
  readonly text: string
  readonly params: ReadonlyArray<unknown>
}

export type EchoJobReply =
  | {
    readonly id: number
    readonly ok: true
    /** json and csv: the body's bytes (transferred, not copied); value: the value, or null without a row. */
    readonly body: Uint8Array | number | null
    readonly rows: number
    /** csv: the last row's timestamp, for the next page's keyset. */
    readonly last: number | null
  }
  | { readonly id: number; readonly ok: false; readonly code: string | null; readonly message: string }

export interface EchoWorkerData {
  readonly databaseFile: string
  /** Where better-sqlite3 is, resolved by the parent (an eval'd worker has no module path of its own). */
  readonly driver: string
}

/** The part of better-sqlite3 the worker uses (the package ships no types). */
interface Prepared {
  raw(on: boolean): Prepared
  all(...params: Array<unknown>): Array<unknown>
}
interface Db {
  pragma(text: string): unknown
  prepare(text: string): Prepared
  close(): void
}
type Driver = new(file: string, options: { readonly readonly: boolean; readonly fileMustExist: boolean }) => Db

export const echoQueryWorkerMain = (codec: EchoSeriesCodec): void => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parentPort, workerData } = require("node:worker_threads") as typeof import("node:worker_threads")
  const data = workerData as EchoWorkerData
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require(data.driver) as Driver
  let db: Db | undefined
  const prepared = new Map<string, Prepared>()
  const connection = (): Db => {
    if (db === undefined) {
      // Opened at the first job, and again after a failure, so a database
      // that comes back (or is created later) is found without a restart.
      const opened = new Database(data.databaseFile, { readonly: true, fileMustExist: true })
      opened.pragma("busy_timeout = 5000")
      db = opened
    }
    return db
  }
  const statement = (text: string): Prepared => {
    let found = prepared.get(text)
    if (found === undefined) {
      found = connection().prepare(text).raw(true)
      prepared.set(text, found)
    }
    return found
  }
  parentPort!.on("message", (job: EchoJob) => {
    try {
      const rows = statement(job.text).all(...(job.params as Array<unknown>)) as Array<EchoValueRow>
      const last = rows.length === 0 ? null : rows[rows.length - 1]![0]
      const body = job.mode === "json"
        ? codec.jsonBody(rows)
        : job.mode === "csv"
        ? codec.csvLines(rows)
        : rows.length === 0
        ? null
        : Number(rows[0]![0])
      parentPort!.postMessage(
        { id: job.id, ok: true, body, rows: rows.length, last },
        body instanceof Uint8Array ? [body.buffer as ArrayBuffer] : []
      )
    } catch (error) {
      const failure = error as { readonly code?: unknown; readonly message?: unknown }
      prepared.clear()
      try {
        db?.close()
      } catch {
        // Closing a broken connection may fail too; it is dropped either way.
      }
      db = undefined
      parentPort!.postMessage({
        id: job.id,
        ok: false,
        code: typeof failure.code === "string" ? failure.code : null,
        message: typeof failure.message === "string" ? failure.message : String(error)
      })
    }
  })
}
