/**
 * `superdarn-hub archive run|sync|status`: the archive collector.
 *   run [--port N]       every institution's collector on its schedule, until stopped; with --port,
 *                        their /health and /metrics
 *   sync <id> [--dry-run] one pass now for one institution, then a table
 *   status               per institution: last run, files collected, failures, conflicts
 * All take `--config archive.config.json`. The journal lives in the hub's
 * database (DATABASE_PATH) unless the config names another.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { ArchiveConfig } from "../layers/archive/config/archive-config.js"
import type { TransferProgress } from "../layers/archive/TransferProgress.js"
import { AppConfig } from "../layers/platform/AppConfig.js"
import { inventoryCommand } from "./archive-inventory-command.js"
import { verifyCommand } from "./archive-verify-command.js"

/**
 * The collector's code (SQL, SSH, FTP, HTTP sources, progress bars), loaded
 * when an archive command runs rather than by every command at start-up.
 */
const archiveModules = Effect.promise(async () => {
  const [journal, layers, collection, config, table, progress, collector, registry] = await Promise.all([
    import("../layers/archive/ArchiveJournal.js"),
    import("./archive-layers.js"),
    import("../archive/collection.js"),
    import("../layers/archive/config/load-archive-config.js"),
    import("../archive/run-table.js"),
    import("../layers/archive/TransferProgress.js"),
    import("../actors/archive/collector.js"),
    import("../layers/archive/CollectorRegistry.js")
  ])
  return { ...journal, ...layers, ...collection, ...config, ...table, ...progress, ...collector, ...registry }
})

export class UnknownInstitution extends Data.TaggedError("UnknownInstitution")<{
  readonly institution: string
  readonly known: ReadonlyArray<string>
}> {
  override get message(): string {
    return `no institution "${this.institution}" in the archive config; known: ${this.known.join(", ") || "(none)"}`
  }
}

const configOption = Options.file("config").pipe(
  Options.withDescription("archive collector config"),
  Options.withDefault("archive.config.json")
)

/** The config, and the layer over its journal (the config's, else DATABASE_PATH). */
const loadWithLayer = (configPath: string, progress: Layer.Layer<TransferProgress>) =>
  Effect.gen(function*() {
    const { archiveLayer, loadArchiveConfig } = yield* archiveModules
    const config = yield* loadArchiveConfig(configPath)
    const journalPath = config.journal ?? (yield* Effect.provide(AppConfig, AppConfig.Default)).databasePath
    return { config, layer: archiveLayer(config, { journalPath, progress }) }
  })

const findInstitution = (config: ArchiveConfig, id: string) => {
  const institution = config.institutions.find((candidate) => candidate.id === id)
  return institution === undefined
    ? Effect.fail(new UnknownInstitution({ institution: id, known: config.institutions.map((i) => i.id) }))
    : Effect.succeed(institution)
}

const write = (text: string) => Effect.sync(() => process.stdout.write(text))

const portOption = Options.integer("port").pipe(
  Options.withDescription("serve /health and /metrics on this port (0 for any free one; HOST is the address)"),
  Options.optional
)

/** With `--port`, the collectors' /health and /metrics on HOST:port, up before the first run. */
const collectorHttp = (port: Option.Option<number>) =>
  Option.match(port, {
    onNone: () => Effect.succeed(Layer.empty),
    onSome: (port) =>
      Effect.map(Effect.promise(() => import("./collector-layers.js")), ({ CollectorHttpServer }) =>
        CollectorHttpServer.pipe(
          Layer.provide(AppConfig.Default),
          Layer.provide(Layer.setConfigProvider(
            ConfigProvider.fromMap(new Map([["PORT", String(port)]])).pipe(ConfigProvider.orElse(() =>
              ConfigProvider.fromEnv()
            ))
          ))
        ))
  })

const runCommand = Command.make(
  "run",
  { config: configOption, port: portOption },
  ({ config: configPath, port }) =>
    Effect.gen(function*() {
      const { CollectorRegistry, runCollectors, TransferProgress } = yield* archiveModules
      const { config, layer } = yield* loadWithLayer(configPath, TransferProgress.logLines)
      const http = yield* collectorHttp(port)
      yield* Effect.logInfo("archive collectors starting").pipe(
        Effect.annotateLogs({ institutions: config.institutions.map((i) => i.id).join(",") })
      )
      yield* runCollectors(config.institutions).pipe(
        Effect.provide(Layer.merge(layer, http).pipe(Layer.provideMerge(CollectorRegistry.Default)))
      )
    })
).pipe(Command.withDescription("run every institution's collector on its schedule until stopped"))

const syncCommand = Command.make("sync", {
  config: configOption,
  institution: Args.text({ name: "institution" }).pipe(Args.withDescription("institution id from the config")),
  dryRun: Options.boolean("dry-run").pipe(Options.withDescription("list and classify only; change nothing"))
}, ({ config: configPath, dryRun, institution: id }) =>
  Effect.gen(function*() {
    const { runCollection, runReportTable, TransferProgress } = yield* archiveModules
    const { config, layer } = yield* loadWithLayer(configPath, TransferProgress.live)
    const institution = yield* findInstitution(config, id)
    const report = yield* runCollection(institution, { dryRun }).pipe(
      Effect.map((report) => runReportTable(report)),
      // Another run (a cron job, an operator) has it: say who and until when, touch nothing, exit 0.
      Effect.catchTag("InstitutionBusy", (busy) => Effect.succeed(`${busy.message}; nothing done\n`)),
      Effect.provide(layer)
    )
    yield* write(report)
  })).pipe(Command.withDescription("run one collection pass now for one institution and print a table"))

const statusCommand = Command.make(
  "status",
  { config: configOption },
  ({ config: configPath }) =>
    Effect.gen(function*() {
      const { ArchiveJournal, statusTable, TransferProgress } = yield* archiveModules
      const { config, layer } = yield* loadWithLayer(configPath, TransferProgress.silent)
      const summaries = yield* Effect.flatMap(
        ArchiveJournal,
        (journal) => journal.summary(config.institutions.map((i) => i.id))
      ).pipe(Effect.provide(layer))
      yield* write(statusTable(summaries))
    })
).pipe(Command.withDescription("per institution: last run, files collected, failures and conflicts"))

export const archiveCommand = Command.make("archive").pipe(
  Command.withDescription("the archive collector: gather data files from the institutions that run radars"),
  Command.withSubcommands([runCommand, syncCommand, statusCommand, verifyCommand, inventoryCommand])
)
