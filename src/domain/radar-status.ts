/** What each radar actor publishes about itself; read by /health, metrics and clients. */

export type RadarPhase = "connecting" | "connected" | "receiving" | "stalled" | "backoff"

export type RadarTransport = "tcp" | "zmq"

export interface RadarCounters {
  readonly frames: number
  readonly records: number
  readonly bytes: number
  readonly decodeErrors: number
  readonly resyncs: number
  /** Connections re-established after a connection was lost (the first connection is not one). */
  readonly reconnects: number
  /** Connection attempts that failed (refused, unanswered, or for the Canada feed ZeroMQ's own retries). */
  readonly failedAttempts: number
}

export interface RadarStatus {
  readonly site: string
  readonly transport: RadarTransport
  /** Where the actor connects, e.g. "10.0.0.5:9999" or "tcp://host:port". */
  readonly address: string
  readonly phase: RadarPhase
  /** Epoch ms of the last phase change. */
  readonly phaseSince: number
  /** Epoch ms of the next connection attempt while in backoff. */
  readonly nextAttemptAt: number | undefined
  readonly connectedSince: number | undefined
  readonly lastRecordAt: number | undefined
  readonly counters: RadarCounters
  readonly lastError: string | undefined
  /** The radar's own stall limit (its `stallSeconds`), when the actor knows it; else STALL_SECONDS applies. */
  readonly stallMs?: number
  /** From the latest record; absent before the first one (and for the Canada feed's own entry). */
  readonly transmitter?: TransmitterStatus
  /** Records that failed a quality check; absent until one does. */
  readonly quality?: RecordQuality
}

/**
 * The registry entry of the SuperDARN Canada publisher itself, beside the
 * entries of the sites it relays: its state comes from the ZeroMQ socket's
 * own events, so an unreachable publisher shows as such. Not a site code
 * (those have three letters), so it cannot collide with one.
 */
export const CANADA_FEED_ENTRY = "canada"

export const zeroCounters: RadarCounters = {
  frames: 0,
  records: 0,
  bytes: 0,
  decodeErrors: 0,
  resyncs: 0,
  reconnects: 0,
  failedAttempts: 0
}

/**
 * The status of an actor whose connection has just opened; a connection after
 * an earlier one is counted as a reconnect (the first connection is not one).
 */
export const enterConnected = (status: RadarStatus, now: number, reconnected: boolean): RadarStatus => ({
  ...status,
  phase: "connected",
  phaseSince: now,
  connectedSince: now,
  nextAttemptAt: undefined,
  counters: reconnected ? { ...status.counters, reconnects: status.counters.reconnects + 1 } : status.counters
})

/** The status of an actor that lost its feed and waits `delayMs` before the next attempt. */
export const enterBackoff = (status: RadarStatus, now: number, delayMs: number, reason: string): RadarStatus => ({
  ...status,
  phase: "backoff",
  phaseSince: now,
  nextAttemptAt: now + delayMs,
  connectedSince: undefined,
  lastError: reason
})

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
 * A radar with a live connection is stale when no record has arrived for
 * longer than its own stall limit (`status.stallMs`, else `stallMs`, the
 * global STALL_SECONDS), counted from its last record or, before the first
 * one, from when it connected: bytes that make no record do not count.
 * Radars that are connecting or backing off show that phase: they are not
 * silent, they are away.
 */
export const radarHealthState = (status: RadarStatus, now: number, stallMs: number): RadarHealthState => {
  if (status.phase === "connecting" || status.phase === "backoff") return status.phase
  const silentSince = status.lastRecordAt ?? status.connectedSince ?? status.phaseSince
  return now - silentSince > (status.stallMs ?? stallMs) ? "stale" : status.phase
}

/** The transmitter and data values operators watch, from the radar's latest record. */
export const TRANSMITTER_FIELDS = [
  "agc",
  "lopwr",
  "noiseSearch",
  "noiseMean",
  "tfreq",
  "nave",
  "intt",
  "ercod",
  "cp"
] as const
export type TransmitterField = (typeof TRANSMITTER_FIELDS)[number]

export interface TransmitterStatus {
  /** `stat.agc`: a bit per receiver whose automatic gain control is saturated (0: none). */
  readonly agc: number
  /** `stat.lopwr`: a bit per transmitter reporting low power (0: none). */
  readonly lopwr: number
  readonly noiseSearch: number
  readonly noiseMean: number
  /** kHz. */
  readonly tfreq: number
  readonly nave: number
  /** Integration time, seconds. */
  readonly intt: number
  /** The radar's error code (0: none). */
  readonly ercod: number
  /** Control program id. */
  readonly cp: number
  /** Epoch ms at which each value last changed (its first sighting counts). */
  readonly changedAt: { readonly [K in TransmitterField]: number }
}

/** The bits set in a status word, lowest first: 0b101 → [0, 2]. */
export const setBits = (word: number): Array<number> => {
  const bits: Array<number> = []
  for (let bit = 0; bit < 31; bit++) if ((word & (1 << bit)) !== 0) bits.push(bit)
  return bits
}

/** Per-record quality checks, counted per radar. */
export interface RecordQuality {
  /** The record's station id is not the configured site's. */
  readonly stationMismatch: number
  /** The record's time is more than 5 min from the hub's clock. */
  readonly clockSkew: number
  /** The record's time is earlier than the previous record's. */
  readonly timeBackwards: number
  /** The scan flag is not one of -2 (sounding), -1/+1 (first beam of a scan), 0 (within a scan). */
  readonly scanFlag: number
}

export const QUALITY_CHECKS = ["stationMismatch", "clockSkew", "timeBackwards", "scanFlag"] as const

export const zeroQuality: RecordQuality = { stationMismatch: 0, clockSkew: 0, timeBackwards: 0, scanFlag: 0 }
