/**
 * `superdarn-hub archive inventory --radar sas --type rawacf --from 2026-11-01 --to 2026-12-01 [--gaps]`:
 * the files the archive holds for one radar and type (name, size, SHA-1, when
 * filed, from which institution), or with `--gaps` the two-hour slots no file
 * starts in. One JSON object per line; a table when stdout is a terminal.
 * Read from the journal (the config's, else DATABASE_PATH; DATABASE_URL for
 * PostgreSQL); changes nothing.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import { AppConfig } from "../layers/platform/AppConfig.js"

const configOption = Options.file("config").pipe(
  Options.withDescription("archive collector config"),
  Options.withDefault("archive.config.json")
)

const columns = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n") + "\n"
}

export const inventoryCommand = Command.make("inventory", {
  config: configOption,
  radar: Options.text("radar").pipe(Options.withDescription("three-letter radar code, e.g. sas")),
  type: Options.text("type").pipe(Options.withDescription("file type, e.g. rawacf"), Options.withDefault("rawacf")),
  from: Options.text("from").pipe(Options.withDescription("start, ISO 8601 date or time (UTC unless zoned)")),
  to: Options.text("to").pipe(Options.withDescription("end (exclusive), ISO 8601 date or time")),
  gaps: Options.boolean("gaps").pipe(Options.withDescription("list the two-hour slots no file starts in instead"))
}, ({ config: configPath, from, gaps, radar, to, type }) =>
  Effect.gen(function*() {
    const [
      inventory,
      { loadArchiveConfig },
      { archiveLayer },
      { ArchiveJournal },
      { TransferProgress },
      { printable }
    ] = yield* Effect.promise(() =>
      Promise.all([
        import("../domain/archive-inventory.js"),
        import("../layers/archive/config/load-archive-config.js"),
        import("./archive-layers.js"),
        import("../layers/archive/ArchiveJournal.js"),
        import("../layers/archive/TransferProgress.js"),
        import("../archive/printable.js")
      ])
    )
    const query = yield* inventory.parseInventoryQuery({ radar, type, from, to })
    const config = yield* loadArchiveConfig(configPath)
    const journalPath = config.journal ?? (yield* Effect.provide(AppConfig, AppConfig.Default)).databasePath
    const held = yield* Effect.flatMap(ArchiveJournal, (journal) => journal.held(query)).pipe(
      Effect.provide(archiveLayer(config, { journalPath, progress: TransferProgress.silent }))
    )
    const tty = process.stdout.isTTY === true
    let text: string
    if (gaps) {
      const missing = inventory.findGaps(query.fromMs, query.toMs, held.map((file) => file.startMs)).map(
        inventory.gapJson
      )
      text = tty
        ? columns([["from", "to"], ...missing.map((gap) => [gap.from, gap.to])]) + `${missing.length} missing slots\n`
        : missing.map((gap) => JSON.stringify(gap) + "\n").join("")
    } else {
      const files = held.map(inventory.heldFileJson)
      text = tty
        ? columns([
          ["name", "size", "sha1", "filed", "institution"],
          ...files.map((
            f
          ) => [printable(f.name), String(f.size ?? "?"), f.sha1 ?? "?", f.filedAt, printable(f.institution)])
        ]) + `${files.length} files\n`
        : files.map((file) => JSON.stringify(file) + "\n").join("")
    }
    yield* Effect.sync(() => process.stdout.write(text))
  })).pipe(
    Command.withDescription(
      "list the archive's files for a radar and type over a time range, or (--gaps) its missing two-hour slots"
    )
  )
