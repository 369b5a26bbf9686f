/**
 * Archive collectors inside another command: `serve --archive-config FILE`
 * (or ARCHIVE_CONFIG) runs them in the hub's process, and `archive run
 * --port N` serves their `/health` and `/metrics`. The CollectorRegistry is
 * what both the collectors write and the HTTP handlers read.
 */
import { HttpApiBuilder } from "@effect/platform"
import { Config, Effect, Layer, Option } from "effect"
import { CollectorApi } from "../http/collector-api.js"
import { CollectorHealthHttp, CollectorMetricsHttp } from "../http/collector-http.js"
import { AppConfig } from "../layers/platform/AppConfig.js"
import { HttpServer } from "../layers/platform/HttpServer.js"

/** `/health` and `/metrics` of a collector running alone; HOST and PORT as AppConfig reads them. */
export const CollectorHttpServer = HttpServer.layer(HttpApiBuilder.httpApp).pipe(
  Layer.provide(HttpApiBuilder.api(CollectorApi).pipe(Layer.provide([CollectorHealthHttp, CollectorMetricsHttp]))),
  Layer.provide([HttpApiBuilder.Router.Live, HttpApiBuilder.Middleware.layer])
)

/**
 * Every institution of the config at `configPath`, each on its schedule, for
 * as long as the layer lives. The journal is the config's, else the hub's
 * database (DATABASE_PATH, or DATABASE_URL's PostgreSQL). The journal opens
 * when the layer builds, so a bad config or journal stops the start.
 */
export const collectorsLayer = (configPath: string) =>
  Layer.scopedDiscard(Effect.gen(function*() {
    // The collector's code (SQL, SSH, FTP, HTTP sources) is loaded only when collectors run.
    const [{ archiveLayer }, { loadArchiveConfig }, { runCollectors }, { TransferProgress }] = yield* Effect.promise(
      () =>
        Promise.all([
          import("./archive-layers.js"),
          import("../layers/archive/config/load-archive-config.js"),
          import("../actors/archive/collector.js"),
          import("../layers/archive/TransferProgress.js")
        ])
    )
    const config = yield* loadArchiveConfig(configPath)
    const journalPath = config.journal ?? (yield* AppConfig).databasePath
    const archive = yield* Layer.build(archiveLayer(config, { journalPath, progress: TransferProgress.logLines }))
    yield* Effect.logInfo("archive collectors starting").pipe(
      Effect.annotateLogs({ institutions: config.institutions.map((i) => i.id).join(","), config: configPath })
    )
    yield* Effect.forkScoped(runCollectors(config.institutions).pipe(Effect.provide(archive)))
  }))

/** `serve`'s collectors: those of ARCHIVE_CONFIG (`--archive-config`), none when it is unset. */
export const InProcessCollectors = Layer.unwrapEffect(
  Effect.map(
    Config.option(Config.string("ARCHIVE_CONFIG")),
    Option.match({ onNone: () => Layer.empty, onSome: collectorsLayer })
  )
)
