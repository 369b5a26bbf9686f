/** How one listed file ended in one run. */
import type { DateWarning } from "./file-timing.js"

export type PipelineStep = "download" | "hash" | "compress" | "test" | "dedupe" | "stage" | "archive"

export type FileOutcome =
  | {
    readonly kind: "archived"
    readonly name: string
    readonly destination: string
    readonly staged: boolean
    readonly warning: DateWarning | undefined
  }
  | {
    readonly kind: "duplicate"
    readonly name: string
    readonly reason: string
    readonly warning: DateWarning | undefined
  }
  | {
    readonly kind: "conflict"
    readonly name: string
    readonly quarantined: string
    readonly reason: string
    readonly warning: DateWarning | undefined
  }
  /** `firstTime`: reported in this run's digest (later runs stay quiet). */
  | { readonly kind: "refused"; readonly name: string; readonly reason: string; readonly firstTime: boolean }
  | {
    readonly kind: "failed"
    readonly name: string
    readonly step: PipelineStep
    readonly reason: string
    readonly attempts: number
  }
  /** On the community blocklist: never fetched. `firstTime` as for refused. */
  | { readonly kind: "blocked"; readonly name: string; readonly firstTime: boolean }
  /** Possibly still growing: left for a later run. */
  | { readonly kind: "waiting"; readonly name: string; readonly reason: string }
  /** A radar or file type this institution does not collect. */
  | { readonly kind: "unwanted"; readonly name: string }
  | { readonly kind: "done-before"; readonly name: string; readonly state: string }
  /** Dry run: would be fetched and processed. */
  | { readonly kind: "would-collect"; readonly name: string }
  /** Not attempted: the low-disk guard stopped the run. */
  | { readonly kind: "stopped"; readonly name: string }

export const outcomeDetail = (outcome: FileOutcome): string => {
  switch (outcome.kind) {
    case "archived":
      return `${outcome.destination}${outcome.staged ? " (staged)" : ""}${
        outcome.warning === undefined ? "" : ` [${outcome.warning}]`
      }`
    case "duplicate":
      return outcome.reason
    case "conflict":
      return `${outcome.reason}; quarantined as ${outcome.quarantined}`
    case "refused":
      return outcome.reason
    case "failed":
      return `${outcome.step}: ${outcome.reason} (attempt ${outcome.attempts})`
    case "waiting":
      return outcome.reason
    case "done-before":
      return `journal: ${outcome.state}`
    case "blocked":
      return "on the blocklist"
    case "unwanted":
    case "would-collect":
    case "stopped":
      return ""
  }
}
