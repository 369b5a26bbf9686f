/**
 * Per-site radar values from the RadarRegistry as Prometheus families: the
 * actors keep plain counters in their status, so they are read here rather
 * than mirrored into Effect metrics on every record.
 */
import {
  QUALITY_CHECKS,
  type RadarCounters,
  type RadarStatus,
  setBits,
  TRANSMITTER_FIELDS,
  type TransmitterField
} from "../../domain/radar-status.js"
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
        : [{
          suffix: "" as const,
          labels: [["site", status.site]] as const,
          value: Math.max(0, (now - status.lastRecordAt) / 1000)
        }]
    )
  })
  families.push(...transmitterFamilies(radars, now))
  return families
}

const TRANSMITTER_GAUGES: ReadonlyArray<readonly [TransmitterField, string, string]> = [
  ["tfreq", "superdarn_hub_radar_tfreq_khz", "Transmit frequency of the latest record (kHz)"],
  ["nave", "superdarn_hub_radar_nave", "Pulse sequences averaged in the latest record"],
  ["intt", "superdarn_hub_radar_intt_seconds", "Integration time of the latest record"],
  ["noiseSearch", "superdarn_hub_radar_noise_search", "noise.search of the latest record"],
  ["noiseMean", "superdarn_hub_radar_noise_mean", "noise.mean of the latest record"],
  ["ercod", "superdarn_hub_radar_ercod", "Error code of the latest record (0: none)"],
  ["cp", "superdarn_hub_radar_control_program", "Control program id of the latest record"],
  ["agc", "superdarn_hub_radar_stat_agc", "stat.agc of the latest record: a bit per saturated receiver (0: none)"],
  [
    "lopwr",
    "superdarn_hub_radar_stat_lopwr",
    "stat.lopwr of the latest record: a bit per low-power transmitter (0: none)"
  ]
]

const QUALITY_NAMES: { readonly [K in (typeof QUALITY_CHECKS)[number]]: string } = {
  stationMismatch: "station_id",
  clockSkew: "clock_skew",
  timeBackwards: "time_backwards",
  scanFlag: "scan_flag"
}

/** The transmitter values (a record lacking one leaves it out), when each changed, and the quality counts. */
const transmitterFamilies = (radars: ReadonlyArray<RadarStatus>, now: number): Array<MetricFamily> => {
  const withTransmitter = radars.filter((status) => status.transmitter !== undefined)
  const families: Array<MetricFamily> = TRANSMITTER_GAUGES.map(([field, name, help]) => ({
    name,
    help,
    type: "gauge",
    samples: withTransmitter.flatMap((status) => {
      const value = status.transmitter![field]
      return Number.isNaN(value) ? [] : [{ suffix: "" as const, labels: [["site", status.site]] as const, value }]
    })
  }))
  families.push({
    name: "superdarn_hub_radar_stat_bit",
    help: "1 for each bit set in stat.agc (flag=agc) or stat.lopwr (flag=lopwr) of the latest record",
    type: "gauge",
    samples: withTransmitter.flatMap((status) =>
      (["agc", "lopwr"] as const).flatMap((flag) => {
        const word = status.transmitter![flag]
        return Number.isNaN(word) ? [] : setBits(word).map((bit) => ({
          suffix: "" as const,
          labels: [["site", status.site], ["flag", flag], ["bit", String(bit)]] as const,
          value: 1
        }))
      })
    )
  })
  families.push({
    name: "superdarn_hub_radar_transmitter_change_age_seconds",
    help: "Seconds since each transmitter value last changed",
    type: "gauge",
    samples: withTransmitter.flatMap((status) =>
      TRANSMITTER_FIELDS.map((field) => ({
        suffix: "" as const,
        labels: [["site", status.site], ["field", field]] as const,
        value: Math.max(0, (now - status.transmitter!.changedAt[field]) / 1000)
      }))
    )
  })
  families.push({
    name: "superdarn_hub_radar_quality_problems_total",
    help: "Records that failed a quality check: station_id (not the site's), clock_skew (over 5 min from the clock), " +
      "time_backwards, scan_flag (not -2, -1, 0 or 1)",
    type: "counter",
    samples: radars.flatMap((status) =>
      QUALITY_CHECKS.map((check) => ({
        suffix: "" as const,
        labels: [["site", status.site], ["check", QUALITY_NAMES[check]]] as const,
        value: status.quality?.[check] ?? 0
      }))
    )
  })
  return families
}
