/**
 * The body of `GET /health`, built from plain values so the rules can be
 * read (and tested) without a server.
 */
import type { RadarPhase, RadarStatus } from "../domain/radar-status.js"

/** A radar's phase, or `stale` once it has been silent beyond the stall limit. */
export type RadarHealthState = RadarPhase | "stale"

export const RADAR_HEALTH_STATES: ReadonlyArray<RadarHealthState> = [
  "connecting",
  "connected",
  "receiving",
  "stalled",
  "backoff",
  "stale"
]

/**
 * A radar with a live connection is stale when nothing has arrived for
 * longer than `stallMs`, counted from its last record or, before the first
 * one, from when it connected. Radars that are connecting or backing off
 * show that phase: they are not silent, they are away.
 */
export const radarHealthState = (status: RadarStatus, now: number, stallMs: number): RadarHealthState => {
  if (status.phase === "connecting" || status.phase === "backoff") return status.phase
  const silentSince = status.lastRecordAt ?? status.connectedSince ?? status.phaseSince
  return now - silentSince > stallMs ? "stale" : status.phase
}

export interface RadarHealth {
  readonly state: RadarHealthState
  readonly connected_since: string | null
  readonly last_record_at: string | null
  readonly last_record_age_s: number | null
  readonly records: number
  readonly decode_errors: number
  readonly resyncs: number
  readonly reconnects: number
  readonly failed_attempts: number
  readonly last_error: string | null
}

export interface HealthReport {
  readonly status: "ok" | "unavailable"
  readonly uptime_s: number
  readonly version: string
  readonly database: { readonly ok: boolean }
  readonly radars: Readonly<Record<string, RadarHealth>>
  readonly clients: number
}

const isoOrNull = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString())

export const radarHealth = (status: RadarStatus, now: number, stallMs: number): RadarHealth => ({
  state: radarHealthState(status, now, stallMs),
  connected_since: isoOrNull(status.connectedSince),
  last_record_at: isoOrNull(status.lastRecordAt),
  last_record_age_s: status.lastRecordAt === undefined ? null : Math.max(0, Math.round((now - status.lastRecordAt) / 1000)),
  records: status.counters.records,
  decode_errors: status.counters.decodeErrors,
  resyncs: status.counters.resyncs,
  reconnects: status.counters.reconnects,
  failed_attempts: status.counters.failedAttempts,
  last_error: status.lastError ?? null
})

export interface HealthInput {
  readonly now: number
  readonly startedAt: number
  readonly version: string
  readonly databaseOk: boolean
  readonly radars: Iterable<RadarStatus>
  readonly stallMs: number
  readonly clients: number
}

export const healthReport = (input: HealthInput): HealthReport => {
  const radars: Record<string, RadarHealth> = {}
  for (const status of [...input.radars].sort((a, b) => a.site.localeCompare(b.site))) {
    radars[status.site] = radarHealth(status, input.now, input.stallMs)
  }
  return {
    status: input.databaseOk ? "ok" : "unavailable",
    uptime_s: Math.max(0, Math.floor((input.now - input.startedAt) / 1000)),
    version: input.version,
    database: { ok: input.databaseOk },
    radars,
    clients: input.clients
  }
}
