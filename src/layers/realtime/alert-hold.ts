/**
 * When a radar's state becomes a notification: pure, so the hold-down rules
 * can be read and checked without a clock or a network.
 *
 * A radar is either receiving or away ("stale": connected but silent; "down":
 * not connected). An outage starts when it stops receiving and ends only when
 * it has been receiving again for the whole hold time. It is reported once,
 * when it has lasted the hold time without ending: a flapping radar (away 10 s,
 * back 20 s, over and over) therefore sends one "down" message, not one per
 * flap, and a blip shorter than the hold time sends nothing. After a reported
 * outage, "back" is sent once the radar has received steadily for the hold
 * time, with the outage's length (from its start to the start of the steady
 * receiving).
 */
import { radarHealthState, type RadarStatus } from "../../domain/radar-status.js"

export type AlertLevel = "receiving" | "stale" | "down"

/** The alert view of a radar's health state. */
export const alertLevel = (status: RadarStatus, now: number, stallMs: number): AlertLevel => {
  switch (radarHealthState(status, now, stallMs)) {
    case "receiving":
    case "connected":
      return "receiving"
    case "stale":
    case "stalled":
      return "stale"
    case "connecting":
    case "backoff":
      return "down"
  }
}

export interface AlertNotice {
  readonly kind: "down" | "back"
  readonly site: string
  /** The radar's level when the notice was decided. */
  readonly level: AlertLevel
  /** Epoch ms: when the outage started. */
  readonly since: number
  /** Epoch ms: when the notice was decided. */
  readonly at: number
  /** For "back": the outage's length in ms. */
  readonly outageMs: number | undefined
  /** The radar's last error, as the actor published it. */
  readonly detail: string | undefined
}

/** One radar's hold-down state. */
export interface AlertHold {
  /** Start of the current outage, if the radar is in one. */
  readonly outageSince: number | undefined
  /** Whether the current outage was reported ("down" sent). */
  readonly reported: boolean
  /** Start of the current steady receiving inside an outage. */
  readonly receivingSince: number | undefined
}

/** A radar assumed to be receiving: one away from start-up is reported after the hold time too. */
export const initialHold: AlertHold = { outageSince: undefined, reported: false, receivingSince: undefined }

/** The next hold state for one observation, and the notice it decides, if any. */
export const observe = (
  hold: AlertHold,
  observation: {
    readonly site: string
    readonly level: AlertLevel
    readonly now: number
    readonly detail: string | undefined
  },
  holdMs: number
): readonly [AlertHold, AlertNotice | undefined] => {
  const { detail, level, now, site } = observation
  if (hold.outageSince === undefined) {
    if (level === "receiving") return [hold, undefined]
    return observe({ outageSince: now, reported: false, receivingSince: undefined }, observation, holdMs)
  }
  if (level !== "receiving") {
    const away: AlertHold = { ...hold, receivingSince: undefined }
    if (!hold.reported && now - hold.outageSince >= holdMs) {
      return [{ ...away, reported: true }, {
        kind: "down",
        site,
        level,
        since: hold.outageSince,
        at: now,
        outageMs: undefined,
        detail
      }]
    }
    return [away, undefined]
  }
  const receivingSince = hold.receivingSince ?? now
  if (now - receivingSince < holdMs) return [{ ...hold, receivingSince }, undefined]
  // Steady for the hold time: the outage is over.
  const notice: AlertNotice | undefined = hold.reported
    ? {
      kind: "back",
      site,
      level,
      since: hold.outageSince,
      at: now,
      outageMs: receivingSince - hold.outageSince,
      detail: undefined
    }
    : undefined
  return [initialHold, notice]
}
