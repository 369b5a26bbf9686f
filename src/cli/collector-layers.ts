/**
 * Archive collectors inside another command: `serve --archive-config FILE`
 * (or ARCHIVE_CONFIG) runs them in the hub's process, and `archive run
 * --port N` serves their `/health` and `/metrics`. The CollectorRegistry is
 * what both the collectors write and the HTTP handlers read.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { CollectorApi } from "../http/collector-api.js"
import { CollectorHealthHttp, CollectorMetricsHttp } from "../http/collector-http.js"
import type { InstitutionConfig } from "../layers/archive/config/archive-config.js"
import { AppConfig } from "../layers/platform/AppConfig.js"
import { HttpServer } from "../layers/platform/HttpServer.js"
import type { archiveLayer } from "./archive-layers.js"

/** `/health` and `/metrics` of a collector running alone; HOST and PORT as AppConfig reads them. */
export const CollectorHttpServer = HttpServer.layer(HttpApiBuilder.httpApp).pipe(
  Layer.provide(HttpApiBuilder.api(CollectorApi).pipe(Layer.provide([CollectorHealthHttp, CollectorMetricsHttp]))),
  Layer.provide([HttpApiBuilder.Router.Live, HttpApiBuilder.Middleware.layer])
)

type ArchiveServices = Layer.Layer.Success<ReturnType<typeof archiveLayer>>

/** The archive of `--archive-config` as opened for the hub: what its collectors run on and for. */
class HubArchive extends Context.Tag("superdarn-hub/HubArchive")<HubArchive, {
  readonly configPath: string
  readonly institutions: ReadonlyArray<InstitutionConfig>
  readonly services: Context.Context<ArchiveServices>
}>() {}

/**
 * The config at `configPath` and its journal (the config's, else the hub's
 * database: DATABASE_PATH, or DATABASE_URL's PostgreSQL), opened once: a bad
 * config or journal stops the start. Provides the archive's services
 * themselves too, so the HTTP handlers find ArchiveJournal.
 */
const openArchive = (configPath: string) =>
  Layer.scopedContext(Effect.gen(function*() {
    // The collector's code (SQL, SSH, FTP, HTTP sources) is loaded only when collectors run.
    const [{ archiveLayer }, { loadArchiveConfig }, { TransferProgress }] = yield* Effect.promise(() =>
      Promise.all([
        import("./archive-layers.js"),
        import("../layers/archive/config/load-archive-config.js"),
        import("../layers/archive/TransferProgress.js")
      ])
    )
    const config = yield* loadArchiveConfig(configPath)
    const journalPath = config.journal ?? (yield* AppConfig).databasePath
    const services = yield* Layer.build(archiveLayer(config, { journalPath, progress: TransferProgress.logLines }))
    return Context.add(services, HubArchive, { configPath, institutions: config.institutions, services })
  }))

/** Whether a layer provides anything depends on ARCHIVE_CONFIG, so its readers ask with Effect.serviceOption. */
const provisional = <A, E, R>(layer: Layer.Layer<A, E, R>): Layer.Layer<never, E, R> => layer

/**
 * `serve`'s archive: that of ARCHIVE_CONFIG (`--archive-config`), nothing
 * when it is unset. Provided beneath both the HTTP server (`GET /archive/*`
 * reads its journal, and answers 404 without one) and InProcessCollectors.
 */
export const InProcessArchive = Layer.unwrapEffect(
  Effect.map(
    Config.option(Config.string("ARCHIVE_CONFIG")),
    Option.match({ onNone: () => Layer.empty, onSome: (configPath) => provisional(openArchive(configPath)) })
  )
)

/** `serve`'s collectors: every institution of InProcessArchive's config, each on its schedule; none without one. */
export const InProcessCollectors = Layer.scopedDiscard(Effect.gen(function*() {
  const archive = yield* Effect.serviceOption(HubArchive)
  if (Option.isNone(archive)) return
  const { configPath, institutions, services } = archive.value
  const { runCollectors } = yield* Effect.promise(() => import("../actors/archive/collector.js"))
  yield* Effect.logInfo("archive collectors starting").pipe(
    Effect.annotateLogs({ institutions: institutions.map((i) => i.id).join(","), config: configPath })
  )
  yield* Effect.forkScoped(runCollectors(institutions).pipe(Effect.provide(services)))
}))
