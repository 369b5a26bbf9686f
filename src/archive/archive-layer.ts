/** Everything `runCollection` needs, over the journal database at `journalPath`. */
import { Layer } from "effect"
import { databaseLayer } from "../layers/Database.js"
import { ArchiveJournal } from "./ArchiveJournal.js"
import { ArchiveSettings } from "./ArchiveSettings.js"
import type { ArchiveConfig } from "./config/archive-config.js"
import { Notifier } from "./Notifier.js"
import { TransferProgress } from "./TransferProgress.js"

export const archiveLayer = (
  config: ArchiveConfig,
  options: { readonly journalPath: string; readonly progress?: Layer.Layer<TransferProgress> }
) =>
  Layer.mergeAll(
    ArchiveSettings.layer(config),
    Notifier.layer(config.notify),
    ArchiveJournal.Default,
    options.progress ?? TransferProgress.live
  ).pipe(Layer.provide(databaseLayer(options.journalPath)))
