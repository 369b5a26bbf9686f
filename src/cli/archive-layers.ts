/**
 * Everything `runCollection` needs, over the journal database: PostgreSQL
 * when DATABASE_URL is set (collectors on several machines then share one
 * journal, and its run locks), else the SQLite file at `journalPath`.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { ArchiveJournal } from "../layers/archive/ArchiveJournal.js"
import { ArchiveSettings } from "../layers/archive/ArchiveSettings.js"
import type { ArchiveConfig } from "../layers/archive/config/archive-config.js"
import { Notifier } from "../layers/archive/Notifier.js"
import { TransferProgress } from "../layers/archive/TransferProgress.js"
import { databaseLayer } from "../layers/platform/database.js"
import { Deployment } from "../layers/platform/Deployment.js"
import { postgresLayer } from "../layers/platform/postgres.js"

export const archiveLayer = (
  config: ArchiveConfig,
  options: { readonly journalPath: string; readonly progress?: Layer.Layer<TransferProgress> }
) =>
  Layer.mergeAll(
    ArchiveSettings.layer(config),
    Notifier.layer(config.notify),
    ArchiveJournal.Default,
    options.progress ?? TransferProgress.live
  ).pipe(Layer.provide(journalDatabase(options.journalPath)))

const journalDatabase = (journalPath: string) =>
  Layer.unwrapEffect(
    Effect.map(Deployment, ({ databaseUrl }) =>
      Option.match(databaseUrl, {
        onNone: () => databaseLayer(journalPath),
        onSome: (url) => postgresLayer({ url, maxConnections: 2 })
      }))
  ).pipe(Layer.provide(Deployment.Default))
