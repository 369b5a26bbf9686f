/**
 * The reads behind `GET /echoes/`, kept off the event loop and bounded.
 *
 * - With a SQLite file, queries run in worker threads (ECHOES_QUERY_WORKERS,
 *   default one less than the cores, at least 1), each with its own read-only connection and its prepared
 *   statements, and each writes the response body's bytes itself
 *   (`echo-series-codec.ts`) and transfers them: the loop only hands the
 *   buffer to the socket. Otherwise (`:memory:`, ECHOES_QUERY_WORKERS=0,
 *   PostgreSQL) they run on the store's own client with the same statements
 *   and the same codec.
 * - A JSON body is one statement, the default channel included (see
 *   `SeriesWindow`): one trip to a worker per request once the site is known.
 * - At most one query per worker runs at once; up to ECHOES_QUERY_QUEUE more
 *   wait (default 32), and a request beyond that is refused at once with
 *   `EchoQueriesBusy`, which the handler answers 503 with `Retry-After`.
 * - A request whose client has gone away is interrupted: a waiting query is
 *   never run, a CSV export stops between pages. A query already in a worker
 *   finishes there (SQLite cannot be stopped mid-statement from another
 *   thread) and its answer is dropped.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Config from "effect/Config"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import { createRequire } from "node:module"
import { availableParallelism } from "node:os"
import { Worker } from "node:worker_threads"
import { radarTable } from "../../domain/radar-table.js"
import { AppConfig } from "../platform/AppConfig.js"
import { Deployment } from "../platform/Deployment.js"
import { type EchoJob, type EchoJobMode, type EchoJobReply, echoQueryWorkerMain } from "./echo-query-worker.js"
import { echoSeriesCodec, type EchoValueRow } from "./echo-series-codec.js"
import { EchoStore, EchoStoreError, echoStoreError, STREAM_PAGE_ROWS } from "./EchoStore.js"
import { RadarRegistry } from "./RadarRegistry.js"

/** Too many queries already running and waiting: come back later. */
export class EchoQueriesBusy extends Data.TaggedError("EchoQueriesBusy")<{
  readonly waiting: number
  readonly retryAfterSeconds: number
}> {
  override get message(): string {
    return `too many echo queries (${this.waiting} waiting); retry in ${this.retryAfterSeconds} s`
  }
}

/** A site neither configured, nor in the SuperDARN radar table, nor ever stored. */
export class UnknownSite extends Data.TaggedError("UnknownSite")<{ readonly site: string }> {
  override get message(): string {
    return `no radar ${this.site}`
  }
}

export interface EchoSeriesRequest {
  readonly site: string
  /** None: the lowest channel with data in the range (0 when there is none). */
  readonly channel: Option.Option<number>
  /** [from, to), epoch ms. */
  readonly from: number
  readonly to: number
  readonly completeOnly: boolean
}

export interface EchoQueriesOptions {
  /** Worker threads; 0 runs queries on the store's own client. */
  readonly workers: number
  /** Queries that may wait for a worker before new ones are refused. */
  readonly queueLength: number
  /** The SQLite file the workers open; none runs queries on the store's own client. */
  readonly databaseFile: Option.Option<string>
  /** Rows per CSV page. */
  readonly pageRows: number
}

/** How long a refused client is asked to wait. */
const RETRY_AFTER_SECONDS = 1

const codec = echoSeriesCodec()
const csvHeader = new TextEncoder().encode(codec.csvHeader)

/** The worker's program: the codec and the main function, both sent as source (see echo-query-worker.ts). */
const workerSource = (): string =>
  // `__name` is what a bundler that keeps function names wraps them in.
  `var __name = (f) => f;\n(${echoQueryWorkerMain.toString()})((${echoSeriesCodec.toString()})());\n`

interface PoolWorker {
  readonly worker: Worker
  readonly pending: Map<number, (reply: EchoJobReply) => void>
  alive: boolean
}

type Job = Omit<EchoJob, "id">

const replyError = (reply: Extract<EchoJobReply, { ok: false }>): EchoStoreError =>
  echoStoreError("read", Object.assign(new Error(reply.message), reply.code === null ? {} : { code: reply.code }))

/** Runs jobs on a pool of workers, one job per worker at a time. */
const workerPool = (databaseFile: string, size: number) =>
  Effect.gen(function*() {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3")
    const source = workerSource()
    const pool = yield* Queue.unbounded<PoolWorker>()
    const all = new Set<PoolWorker>()
    let nextId = 0

    const spawn = (): PoolWorker => {
      const worker = new Worker(source, { eval: true, workerData: { databaseFile, driver } })
      const entry: PoolWorker = { worker, pending: new Map(), alive: true }
      const fail = (message: string) => {
        if (!entry.alive) return
        entry.alive = false
        all.delete(entry)
        for (const [id, resume] of entry.pending) resume({ id, ok: false, code: null, message })
        entry.pending.clear()
      }
      worker.on("message", (reply: EchoJobReply) => {
        const resume = entry.pending.get(reply.id)
        entry.pending.delete(reply.id)
        resume?.(reply)
      })
      worker.on("error", (error) => fail(`query worker failed: ${error.message}`))
      worker.on("exit", (code) => fail(`query worker exited with code ${code}`))
      worker.unref()
      all.add(entry)
      return entry
    }

    /** Back to the pool, or a fresh worker in place of one that died. */
    const release = (entry: PoolWorker) => Queue.unsafeOffer(pool, entry.alive ? entry : spawn())

    yield* Effect.acquireRelease(
      Effect.sync(() => {
        for (let i = 0; i < size; i++) Queue.unsafeOffer(pool, spawn())
      }),
      () =>
        Effect.promise(() =>
          Promise.all(Array.from(all, (entry) => {
            entry.alive = false
            return entry.worker.terminate()
          }))
        )
    )

    const run = (job: Job): Effect.Effect<Extract<EchoJobReply, { ok: true }>, EchoStoreError> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(restore(Queue.take(pool)), (entry) =>
          restore(Effect.async<Extract<EchoJobReply, { ok: true }>, EchoStoreError>((resume) => {
            const id = nextId++
            entry.pending.set(id, (reply) => {
              release(entry)
              resume(reply.ok ? Effect.succeed(reply) : Effect.fail(replyError(reply)))
            })
            entry.worker.postMessage({ ...job, id } satisfies EchoJob)
            // Interrupted: the worker finishes the job, its answer is dropped, and then it is free again.
            return Effect.sync(() =>
              void entry.pending.set(id, () => release(entry))
            )
          })))
      )
    return run
  })

/** The same jobs on the store's own client, for databases the workers cannot open. */
const inProcess =
  (sql: SqlClient.SqlClient) => (job: Job): Effect.Effect<Extract<EchoJobReply, { ok: true }>, EchoStoreError> =>
    sql.unsafe(job.text, job.params as Array<never>).values.pipe(
      Effect.map((values) => {
        const rows = values as unknown as ReadonlyArray<EchoValueRow>
        const last = rows.length === 0 ? null : Number(rows[rows.length - 1]![0])
        const body = job.mode === "json"
          ? codec.jsonBody(rows.map((row) => row.map(Number) as unknown as EchoValueRow))
          : job.mode === "csv"
          ? codec.csvLines(rows.map((row) => row.map(Number) as unknown as EchoValueRow))
          : rows.length === 0
          ? null
          : Number(rows[0]![0])
        return { id: 0, ok: true as const, body, rows: rows.length, last }
      }),
      Effect.mapError((error) => echoStoreError("read", error)),
      Effect.catchAllDefect((defect) => Effect.fail(echoStoreError("read", defect)))
    )

const makeEchoQueries = (options: EchoQueriesOptions) =>
  Effect.gen(function*() {
    const store = yield* EchoStore
    const registry = yield* RadarRegistry
    const sql = yield* SqlClient.SqlClient
    const workers = Math.max(0, Math.floor(options.workers))
    const useWorkers = workers > 0 && Option.isSome(options.databaseFile) && options.databaseFile.value !== ":memory:"
    const runJob = useWorkers ? yield* workerPool(Option.getOrThrow(options.databaseFile), workers) : inProcess(sql)
    const slots = yield* Effect.makeSemaphore(useWorkers ? workers : 1)
    const queueLength = Math.max(0, Math.floor(options.queueLength))
    const capacity = (useWorkers ? workers : 1) + queueLength
    let admitted = 0

    const compile = (
      mode: EchoJobMode,
      statement: { readonly compile: () => readonly [string, ReadonlyArray<unknown>] }
    ) => {
      const [text, params] = statement.compile()
      return { mode, text, params }
    }

    /**
     * Runs `body` as one admitted request: it waits for a slot with the
     * others, or is refused at once when `capacity` requests are in.
     */
    const admit = <A, E, R>(body: Effect.Effect<A, E, R>): Effect.Effect<A, E | EchoQueriesBusy, R> =>
      Effect.suspend((): Effect.Effect<A, E | EchoQueriesBusy, R> => {
        if (admitted >= capacity) {
          return Effect.fail(
            new EchoQueriesBusy({
              waiting: admitted - (capacity - queueLength),
              retryAfterSeconds: RETRY_AFTER_SECONDS
            })
          )
        }
        admitted++
        return slots.withPermits(1)(body).pipe(Effect.ensuring(Effect.sync(() => void admitted--)))
      })

    const value = (statement: Parameters<typeof compile>[1]) =>
      Effect.map(runJob(compile("value", statement)), (reply) => reply.body as number | null)

    const channelOf = (request: EchoSeriesRequest) =>
      Option.isSome(request.channel)
        ? Effect.succeed(request.channel.value)
        : Effect.map(
          value(store.statements.lowestChannel(request.site, request.from, request.to)),
          (channel) => channel ?? 0
        )

    /** Sites found stored once: asked again, they cost no query. */
    const storedSites = new Set<string>()

    /** Configured (or running), in the radar table, or with stored scans. */
    const checkSite = (site: string) =>
      radarTable().byCode.has(site) || registry.has(site) || storedSites.has(site)
        ? Effect.void
        : Effect.flatMap(
          value(store.statements.site(site)),
          (found) =>
            found === null ? Effect.fail(new UnknownSite({ site })) : Effect.sync(() => void storedSites.add(site))
        )

    /** The whole window as the JSON body's bytes, in one query (the default channel found by the same statement). */
    const seriesJson = Effect.fn("EchoQueries.seriesJson")(function*(request: EchoSeriesRequest) {
      return yield* admit(Effect.gen(function*() {
        yield* checkSite(request.site)
        const window = {
          site: request.site,
          channel: Option.getOrElse(request.channel, (): "lowest" => "lowest"),
          from: request.from,
          to: request.to,
          completeOnly: request.completeOnly
        }
        const reply = yield* runJob(compile("json", store.statements.series(window, request.from)))
        return reply.body as Uint8Array
      }))
    })

    /**
     * The CSV body after its header, page by page (keyset on the unique
     * timestamp). The site and channel are settled before the first byte, so
     * a refusal can still be an HTTP status; each page waits for a slot like
     * any query but is never refused once the export has begun.
     */
    const seriesCsv = Effect.fn("EchoQueries.seriesCsv")(function*(request: EchoSeriesRequest) {
      const channel = yield* admit(Effect.zipRight(checkSite(request.site), channelOf(request)))
      const query = {
        site: request.site,
        channel,
        from: request.from,
        to: request.to,
        completeOnly: request.completeOnly
      }
      const pageRows = Math.max(1, Math.floor(options.pageRows))
      const pages = Stream.paginateEffect(request.from, (from) =>
        slots.withPermits(1)(runJob(compile("csv", store.statements.series(query, from, pageRows)))).pipe(
          Effect.map((reply) =>
            [
              reply.body as Uint8Array,
              reply.rows === pageRows && reply.last !== null ? Option.some(reply.last + 1) : Option.none()
            ] as const
          )
        ))
      return Stream.concat(Stream.succeed(csvHeader), pages)
    })

    return {
      seriesJson,
      seriesCsv
    } as const
  })

/**
 * One worker per core but one: the event loop that serves the live feed keeps
 * a core to itself while long windows are read (on 2 cores, a flood of 30-day
 * requests on 2 workers held both and the live feed waited seconds).
 */
const DEFAULT_WORKERS = Math.max(1, availableParallelism() - 1)

const EchoQueriesConfig = Config.all({
  workers: Config.integer("ECHOES_QUERY_WORKERS").pipe(
    Config.withDefault(DEFAULT_WORKERS),
    Config.validate({ message: "ECHOES_QUERY_WORKERS must be an integer 0-64", validation: (n) => n >= 0 && n <= 64 })
  ),
  queueLength: Config.integer("ECHOES_QUERY_QUEUE").pipe(
    Config.withDefault(32),
    Config.validate({
      message: "ECHOES_QUERY_QUEUE must be an integer 0-100000",
      validation: (n) => n >= 0 && n <= 100_000
    })
  )
})

export class EchoQueries extends Effect.Tag("superdarn-hub/EchoQueries")<
  EchoQueries,
  Effect.Effect.Success<ReturnType<typeof makeEchoQueries>>
>() {
  /** Explicit options (tests, benchmarks). */
  static readonly layer = (options: Partial<EchoQueriesOptions> & Pick<EchoQueriesOptions, "databaseFile">) =>
    Layer.scoped(
      EchoQueries,
      makeEchoQueries({ workers: DEFAULT_WORKERS, queueLength: 32, pageRows: STREAM_PAGE_ROWS, ...options })
    )

  /**
   * ECHOES_QUERY_WORKERS and ECHOES_QUERY_QUEUE, on DATABASE_PATH. On
   * PostgreSQL (DATABASE_URL) the queries run on the pool: the server does the
   * work off this event loop already.
   */
  static readonly Default = Layer.unwrapScoped(
    Effect.gen(function*() {
      const { databasePath } = yield* AppConfig
      const { databaseUrl } = yield* Deployment
      const settings = yield* EchoQueriesConfig
      return EchoQueries.layer({
        ...settings,
        databaseFile: Option.isSome(databaseUrl) ? Option.none() : Option.some(databasePath)
      })
    })
  ).pipe(Layer.provide(Deployment.Default))
}
