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
