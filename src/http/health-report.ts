/**
 * The body of `GET /health`, built from plain values so the rules can be
 * read (and tested) without a server.
 */
import {
  type RadarHealthState,
  radarHealthState,
  type RadarStatus,
  setBits,
  TRANSMITTER_FIELDS,
  type TransmitterField,
  type TransmitterStatus
} from "../domain/radar-status.js"

import type { CollectorPhase, CollectorStatus } from "../layers/archive/CollectorRegistry.js"

export { RADAR_HEALTH_STATES, type RadarHealthState, radarHealthState } from "../domain/radar-status.js"

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
  /** From the latest record; absent before the first one. */
  readonly transmitter?: TransmitterHealth
  /** Records that failed a quality check; absent while none has. */
  readonly quality?: QualityHealth
}

export interface TransmitterHealth {
  readonly agc: number
  /** The bits set in `agc`, lowest first. */
  readonly agc_bits: ReadonlyArray<number>
  readonly lopwr: number
  readonly lopwr_bits: ReadonlyArray<number>
  /** Values a record lacks are null. */
  readonly noise_search: number | null
  readonly noise_mean: number | null
  readonly tfreq_khz: number | null
  readonly nave: number | null
  readonly intt_s: number | null
  readonly ercod: number | null
  readonly cp: number | null
  /** Seconds since each value last changed. */
  readonly changed_s_ago: { readonly [K in TransmitterField]: number }
}

export interface QualityHealth {
  readonly station_id: number
  readonly clock_skew: number
  readonly time_backwards: number
  readonly scan_flag: number
}

const finiteOrNull = (n: number): number | null => (Number.isFinite(n) ? n : null)

const transmitterHealth = (t: TransmitterStatus, now: number): TransmitterHealth => {
  const changed = {} as Record<TransmitterField, number>
  for (const field of TRANSMITTER_FIELDS) changed[field] = Math.max(0, Math.round((now - t.changedAt[field]) / 1000))
  const word = (n: number) => (Number.isFinite(n) ? n : 0)
  return {
    agc: word(t.agc),
    agc_bits: setBits(word(t.agc)),
    lopwr: word(t.lopwr),
    lopwr_bits: setBits(word(t.lopwr)),
    noise_search: finiteOrNull(t.noiseSearch),
    noise_mean: finiteOrNull(t.noiseMean),
    tfreq_khz: finiteOrNull(t.tfreq),
    nave: finiteOrNull(t.nave),
    intt_s: finiteOrNull(t.intt),
    ercod: finiteOrNull(t.ercod),
    cp: finiteOrNull(t.cp),
    changed_s_ago: changed
  }
}

/** A scaled-out process: its role, who leads the ingest, and whether Redis answers. */
export interface DeploymentHealth {
  readonly role: "ingest" | "edge"
  /** The ingest holding the lease (host:pid:tag), or null while none does. */
  readonly leader: string | null
  /** Whether this process is that ingest. */
  readonly leading: boolean
  readonly redis: "ok" | "unreachable"
}

/** One institution's archive collector, from the CollectorRegistry. */
export interface CollectorHealth {
  readonly phase: CollectorPhase
  readonly phase_since: string
  readonly runs: number
  /** Null before the first run ends. */
  readonly last_run: {
    readonly started_at: string | null
    readonly finished_at: string
    readonly outcome: string
    readonly collected: number
    readonly duplicates: number
    readonly conflicts: number
    readonly refused: number
    readonly failed: number
  } | null
  /** Null while a run is under way. */
  readonly next_run_at: string | null
  readonly consecutive_failures: number
  readonly last_error: string | null
}

export const collectorHealth = (status: CollectorStatus): CollectorHealth => ({
  phase: status.phase,
  phase_since: new Date(status.phaseSince).toISOString(),
  runs: status.runs,
  last_run: status.lastRunAt === undefined ? null : {
    started_at: isoOrNull(status.lastRunStartedAt),
    finished_at: new Date(status.lastRunAt).toISOString(),
    outcome: status.lastOutcome ?? "unknown",
    collected: status.lastCollected,
    duplicates: status.lastDuplicates,
    conflicts: status.lastConflicts,
    refused: status.lastRefused,
    failed: status.lastFailures
  },
  next_run_at: isoOrNull(status.nextRunAt),
  consecutive_failures: status.consecutiveFailures,
  last_error: status.lastError ?? null
})

/** Per institution, sorted by id. */
export const collectorsHealth = (statuses: Iterable<CollectorStatus>): Readonly<Record<string, CollectorHealth>> => {
  const collectors: Record<string, CollectorHealth> = {}
  for (
    const status of [...statuses].sort((
      a,
      b
    ) => (a.institution < b.institution ? -1 : a.institution > b.institution ? 1 : 0))
  ) {
    collectors[status.institution] = collectorHealth(status)
  }
  return collectors
}

export interface HealthReport {
  readonly status: "ok" | "unavailable"
  readonly uptime_s: number
  readonly version: string
  readonly database: DatabaseHealthReport
  readonly radars: Readonly<Record<string, RadarHealth>>
  readonly clients: number
  readonly deployment?: DeploymentHealth
  /** Only where archive collectors run in the process (`serve --archive-config`, `archive run --port`). */
  readonly collectors?: Readonly<Record<string, CollectorHealth>>
}

const isoOrNull = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString())

export const radarHealth = (status: RadarStatus, now: number, stallMs: number): RadarHealth => ({
  state: radarHealthState(status, now, stallMs),
  connected_since: isoOrNull(status.connectedSince),
  last_record_at: isoOrNull(status.lastRecordAt),
  last_record_age_s: status.lastRecordAt === undefined
    ? null
    : Math.max(0, Math.round((now - status.lastRecordAt) / 1000)),
  records: status.counters.records,
  decode_errors: status.counters.decodeErrors,
  resyncs: status.counters.resyncs,
  reconnects: status.counters.reconnects,
  failed_attempts: status.counters.failedAttempts,
  last_error: status.lastError ?? null,
  ...(status.transmitter === undefined ? {} : { transmitter: transmitterHealth(status.transmitter, now) }),
  ...(status.quality === undefined ? {} : {
    quality: {
      station_id: status.quality.stationMismatch,
      clock_skew: status.quality.clockSkew,
      time_backwards: status.quality.timeBackwards,
      scan_flag: status.quality.scanFlag
    }
  })
})

/**
 * The database: `unavailable` when it does not answer, `degraded` when it
 * answers but storage fails (a full disk, I/O errors, a failed integrity
 * check at start-up), with the last error and since when.
 */
export interface DatabaseHealthReport {
  readonly ok: boolean
  readonly state: "ok" | "degraded" | "unavailable"
  readonly last_error: string | null
  readonly degraded_since: string | null
}

const databaseHealthReport = (input: HealthInput): DatabaseHealthReport => {
  const degraded = input.databaseDegraded
  return {
    ok: input.databaseOk && degraded === undefined,
    state: !input.databaseOk ? "unavailable" : degraded === undefined ? "ok" : "degraded",
    last_error: degraded?.lastError ?? null,
    degraded_since: isoOrNull(degraded?.since)
  }
}

export interface HealthInput {
  readonly now: number
  readonly startedAt: number
  readonly version: string
  readonly databaseOk: boolean
  /** What storage last saw (DatabaseHealth): a degraded database is not ok even while `SELECT 1` answers. */
  readonly databaseDegraded?: { readonly lastError: string | undefined; readonly since: number | undefined }
  readonly radars: Iterable<RadarStatus>
  readonly stallMs: number
  readonly clients: number
  readonly deployment?: DeploymentHealth
  readonly collectors?: Iterable<CollectorStatus>
}

export const healthReport = (input: HealthInput): HealthReport => {
  const radars: Record<string, RadarHealth> = {}
  for (const status of [...input.radars].sort((a, b) => (a.site < b.site ? -1 : a.site > b.site ? 1 : 0))) {
    radars[status.site] = radarHealth(status, input.now, input.stallMs)
  }
  return {
    status: input.databaseOk && input.databaseDegraded === undefined ? "ok" : "unavailable",
    uptime_s: Math.max(0, Math.floor((input.now - input.startedAt) / 1000)),
    version: input.version,
    database: databaseHealthReport(input),
    radars,
    clients: input.clients,
    ...(input.deployment === undefined ? {} : { deployment: input.deployment }),
    ...(input.collectors === undefined ? {} : { collectors: collectorsHealth(input.collectors) })
  }
}
