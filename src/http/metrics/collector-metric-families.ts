/** Each archive collector's last run and failures, from the CollectorRegistry: the counts `/health` shows. */
import { COLLECTOR_PHASES, type CollectorStatus } from "../../layers/archive/CollectorRegistry.js"
import type { MetricFamily } from "./prometheus-text.js"

const LAST_RUN_COUNTS = [
  ["collected", (s: CollectorStatus) => s.lastCollected],
  ["duplicates", (s: CollectorStatus) => s.lastDuplicates],
  ["conflicts", (s: CollectorStatus) => s.lastConflicts],
  ["refused", (s: CollectorStatus) => s.lastRefused],
  ["failed", (s: CollectorStatus) => s.lastFailures]
] as const

export const collectorMetricFamilies = (statuses: Iterable<CollectorStatus>): ReadonlyArray<MetricFamily> => {
  const all = [...statuses]
  if (all.length === 0) return []
  const institution = (s: CollectorStatus) => ["institution", s.institution] as const
  return [
    {
      name: "superdarn_hub_collector_phase",
      help: "1 for the phase each archive collector is in",
      type: "gauge",
      samples: all.flatMap((s) =>
        COLLECTOR_PHASES.map((phase) => ({
          suffix: "",
          labels: [institution(s), ["phase", phase]],
          value: phase === s.phase ? 1 : 0
        }))
      )
    },
    {
      name: "superdarn_hub_collector_runs_total",
      help: "Collection runs ended since the process started",
      type: "counter",
      samples: all.map((s) => ({ suffix: "", labels: [institution(s)], value: s.runs }))
    },
    {
      name: "superdarn_hub_collector_last_run_files",
      help: "Files of the last ended run, by what became of them",
      type: "gauge",
      samples: all.flatMap((s) =>
        LAST_RUN_COUNTS.map(([result, count]) => ({
          suffix: "",
          labels: [institution(s), ["result", result]],
          value: count(s)
        }))
      )
    },
    {
      name: "superdarn_hub_collector_last_run_end_seconds",
      help: "When the last run ended (Unix time); absent before the first",
      type: "gauge",
      samples: all.flatMap((s) =>
        s.lastRunAt === undefined ? [] : [{ suffix: "", labels: [institution(s)], value: s.lastRunAt / 1000 }]
      )
    },
    {
      name: "superdarn_hub_collector_next_run_seconds",
      help: "When the next run is due (Unix time); absent while a run is under way",
      type: "gauge",
      samples: all.flatMap((s) =>
        s.nextRunAt === undefined ? [] : [{ suffix: "", labels: [institution(s)], value: s.nextRunAt / 1000 }]
      )
    },
    {
      name: "superdarn_hub_collector_consecutive_failures",
      help: "Runs in a row that failed outright",
      type: "gauge",
      samples: all.map((s) => ({ suffix: "", labels: [institution(s)], value: s.consecutiveFailures }))
    }
  ]
}
