/** The echo aggregation's own metrics; /metrics renders them with every other registered metric. */
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"

export const scansStored = Metric.counter("superdarn_hub_echo_scans_stored_total", {
  description: "Closed scans written to the database (replayed duplicates not counted)",
  incremental: true
})

export const scanWriteFailures = Metric.counter("superdarn_hub_echo_scan_write_failures_total", {
  description: "Failed attempts to write a batch of scans (transient failures are retried, refused rows split out)",
  incremental: true
})

export const scanWriteSeconds = Metric.histogram(
  "superdarn_hub_echo_db_write_seconds",
  MetricBoundaries.exponential({ start: 0.0005, factor: 2, count: 14 }),
  "Time to write one batch of scans in one transaction"
)

/** Scans given up on, by why: `buffer_full` (oldest dropped while the database was away), `refused` (a row the database will never take), `shutdown` (not stored within the shutdown deadline). */
export const scansDropped = Metric.counter("superdarn_hub_echo_scans_dropped_total", {
  description: "Closed scans that were never stored, by reason",
  incremental: true
})

/** Scans waiting for the database. */
export const scansPending = Metric.gauge("superdarn_hub_echo_scans_pending", {
  description: "Closed scans waiting to be stored"
})

export const scanRewinds = Metric.counter("superdarn_hub_echo_time_rewinds_total", {
  description: "Records earlier than their open scan's latest record (the scan was closed as incomplete)",
  incremental: true
})
