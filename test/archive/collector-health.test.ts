/** The collectors' section of /health and their metric families, from registry statuses alone. */
import { describe, expect, it } from "@effect/vitest"
import { collectorsHealth } from "../../src/http/health-report.js"
import { collectorMetricFamilies } from "../../src/http/metrics/collector-metric-families.js"
import { renderPrometheusText } from "../../src/http/metrics/prometheus-text.js"
import { type CollectorStatus, initialCollectorStatus } from "../../src/layers/archive/CollectorRegistry.js"

const T0 = Date.parse("2026-11-30T12:00:00Z")

const ranOnce: CollectorStatus = {
  ...initialCollectorStatus("vt", T0),
  runs: 1,
  lastRunStartedAt: T0 + 1000,
  lastRunAt: T0 + 5000,
  lastOutcome: "ok",
  lastCollected: 3,
  lastDuplicates: 1,
  lastConflicts: 0,
  lastRefused: 2,
  lastFailures: 1,
  nextRunAt: T0 + 905_000
}

describe("collectors on /health", () => {
  it("maps phases and counts, sorted by institution, last_run null before the first run", () => {
    const backingOff: CollectorStatus = {
      ...initialCollectorStatus("usask", T0),
      phase: "backing off",
      lastError: "no such folder"
    }
    const health = collectorsHealth([ranOnce, backingOff])
    expect(Object.keys(health)).toEqual(["usask", "vt"])
    expect(health.usask).toMatchObject({
      phase: "backing off",
      last_run: null,
      next_run_at: null,
      last_error: "no such folder"
    })
    expect(health.vt).toEqual({
      phase: "idle",
      phase_since: "2026-11-30T12:00:00.000Z",
      runs: 1,
      last_run: {
        started_at: "2026-11-30T12:00:01.000Z",
        finished_at: "2026-11-30T12:00:05.000Z",
        outcome: "ok",
        collected: 3,
        duplicates: 1,
        conflicts: 0,
        refused: 2,
        failed: 1
      },
      next_run_at: "2026-11-30T12:15:05.000Z",
      consecutive_failures: 0,
      last_error: null
    })
  })

  it("carries the same counts in /metrics, and nothing without collectors", () => {
    expect(collectorMetricFamilies([])).toEqual([])
    const text = renderPrometheusText(
      collectorMetricFamilies([{ ...ranOnce, phase: "fetching", nextRunAt: undefined }])
    )
    expect(text).toContain(`superdarn_hub_collector_phase{institution="vt",phase="fetching"} 1`)
    for (const other of ["idle", "listing", "tidying", "backing off"]) {
      expect(text).toContain(`superdarn_hub_collector_phase{institution="vt",phase="${other}"} 0`)
    }
    expect(text).toContain(`superdarn_hub_collector_last_run_files{institution="vt",result="refused"} 2`)
    expect(text).toContain(`superdarn_hub_collector_runs_total{institution="vt"} 1`)
    expect(text).not.toContain("superdarn_hub_collector_next_run_seconds{")
  })
})
