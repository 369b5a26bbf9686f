/**
 * Per-site radar values from the RadarRegistry as Prometheus families: the
 * actors keep plain counters in their status, so they are read here rather
 * than mirrored into Effect metrics on every record.
 */
import type { RadarCounters, RadarStatus } from "../../domain/radar-status.js"
import { RADAR_HEALTH_STATES, radarHealthState } from "../health-report.js"
import type { MetricFamily } from "./prometheus-text.js"

const COUNTERS: ReadonlyArray<readonly [keyof RadarCounters, string, string]> = [
  ["records", "superdarn_hub_radar_records_total", "Records received from the radar"],
  ["frames", "superdarn_hub_radar_frames_total", "Frames received from the radar"],
  ["bytes", "superdarn_hub_radar_bytes_total", "Bytes received from the radar"],
  ["decodeErrors", "superdarn_hub_radar_decode_errors_total", "Frames or records that failed to decode"],
  ["resyncs", "superdarn_hub_radar_resyncs_total", "Times the framer skipped bytes to find the next frame"],
  ["reconnects", "superdarn_hub_radar_reconnects_total", "Connections re-established after a loss"],
  ["failedAttempts", "superdarn_hub_radar_failed_attempts_total", "Connection attempts that failed"]
]

export const radarMetricFamilies = (
  statuses: Iterable<RadarStatus>,
  now: number,
  stallMs: number
): ReadonlyArray<MetricFamily> => {
  const radars = [...statuses].sort((a, b) => a.site.localeCompare(b.site))
  const families: Array<MetricFamily> = COUNTERS.map(([field, name, help]) => ({
    name,
    help,
    type: "counter",
    samples: radars.map((status) => ({ suffix: "", labels: [["site", status.site]], value: status.counters[field] }))
  }))
  families.push({
    name: "superdarn_hub_radar_state",
    help: "1 for the radar's current state (a stale radar has been silent beyond STALL_SECONDS)",
    type: "gauge",
    samples: radars.flatMap((status) => {
      const current = radarHealthState(status, now, stallMs)
      return RADAR_HEALTH_STATES.map((state) => ({
        suffix: "" as const,
        labels: [["site", status.site], ["state", state]] as const,
        value: state === current ? 1 : 0
      }))
    })
  })
  families.push({
    name: "superdarn_hub_radar_last_record_age_seconds",
    help: "Seconds since the radar's last record",
    type: "gauge",
    samples: radars.flatMap((status) =>
      status.lastRecordAt === undefined
        ? []
        : [{ suffix: "" as const, labels: [["site", status.site]] as const, value: Math.max(0, (now - status.lastRecordAt) / 1000) }]
    )
  })
  return families
}
