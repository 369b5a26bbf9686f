/** Everything `runCollection` needs, over the journal database at `journalPath`. */
import { Layer } from "effect"
import { databaseLayer } from "../layers/platform/database.js"
import { ArchiveJournal } from "../layers/archive/ArchiveJournal.js"
import { ArchiveSettings } from "../layers/archive/ArchiveSettings.js"
import type { ArchiveConfig } from "../layers/archive/config/archive-config.js"
import { Notifier } from "../layers/archive/Notifier.js"
import { TransferProgress } from "../layers/archive/TransferProgress.js"

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
