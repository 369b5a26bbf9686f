/** The echo aggregation's own metrics; /metrics renders them with every other registered metric. */
import { Metric, MetricBoundaries } from "effect"

export const scansStored = Metric.counter("superdarn_hub_echo_scans_stored_total", {
  description: "Closed scans written to the database (replayed duplicates not counted)",
  incremental: true
})

export const scanWriteFailures = Metric.counter("superdarn_hub_echo_scan_write_failures_total", {
  description: "Failed attempts to write a batch of scans (each is retried)",
  incremental: true
})

export const scanWriteSeconds = Metric.histogram(
  "superdarn_hub_echo_db_write_seconds",
  MetricBoundaries.exponential({ start: 0.0005, factor: 2, count: 14 }),
  "Time to write one batch of scans in one transaction"
)
