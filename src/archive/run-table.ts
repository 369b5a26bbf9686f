/** Plain-text tables for `archive sync` and `archive status`. */
import type { InstitutionSummary } from "../layers/archive/ArchiveJournal.js"
import type { RunReport } from "./collection.js"
import { outcomeDetail } from "./file-outcome.js"
import { printable } from "./printable.js"

/** Left-aligned columns, two spaces apart, header underlined. */
export const formatTable = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join("  ")
      .trimEnd()
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n") + "\n"
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? "-" : new Date(ms).toISOString())

export const runReportTable = (report: RunReport): string => {
  const counts = new Map<string, number>()
  for (const file of report.files) counts.set(file.kind, (counts.get(file.kind) ?? 0) + 1)
  const totals = [...counts.entries()].map(([kind, n]) => `${n} ${kind}`).join(", ")
  const title = `${report.dryRun ? "DRY RUN " : ""}${report.institution} ${report.runId}: ${report.outcome}` +
    ` (${report.files.length} listed${totals === "" ? "" : `: ${totals}`}; ${report.tidied} tidied)`
  // Names and details come from the source: escaped, so none can move the cursor or forge a row.
  const rows = report.files.map((file) => [printable(file.name), file.kind, printable(outcomeDetail(file))])
  return `${title}\n${formatTable(["file", "outcome", "detail"], rows)}${
    report.tidyError === undefined ? "" : `tidy failed: ${printable(report.tidyError)}\n`
  }`
}

export const statusTable = (summaries: ReadonlyArray<InstitutionSummary>): string =>
  formatTable(
    ["institution", "last run", "outcome", "collected", "archived", "duplicates", "failed", "conflicts", "refused"],
    summaries.map((s) => [
      s.institution,
      iso(s.lastRun?.startedAt),
      s.lastRun === undefined
        ? "-"
        : `${s.lastRun.outcome}${s.lastRun.error === null ? "" : `: ${printable(s.lastRun.error)}`}`,
      String(s.lastRun?.collected ?? 0),
      String(s.archived),
      String(s.duplicates),
      String(s.failed),
      String(s.conflicts),
      String(s.refused)
    ])
  )
