/**
 * Recent history: each site's live packets from the last HISTORY_MINUTES
 * (default 10; 0 turns it off), so a page opened mid-scan can fill its
 * range-time plot at once. It keeps the frames the live feed already encoded
 * (one buffer shared with every client), in a ring per site bounded both by
 * age and by count, so memory stays bounded whatever the radars send.
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type { LiveFrame } from "./live-frame.js"

export interface HistoryOptions {
  /** How long packets are kept; 0 keeps none. */
  readonly minutes: number
  /** Packets kept per site at most (a radar sending faster loses its oldest sooner). */
  readonly maxPacketsPerSite: number
}

/** Ten records a second per site over the window: far above any radar's rate (about one every 3-7 s per channel). */
const packetsPerSiteFor = (minutes: number): number => Math.max(1, Math.ceil(minutes * 60 * 10))

export const MAX_HISTORY_MINUTES = 24 * 60

export interface HistoryEntry {
  /** The record's time, epoch ms. */
  readonly time: number
  readonly frame: LiveFrame
}

export interface HistoryAnswer {
  /** In time order, the oldest first. */
  readonly entries: ReadonlyArray<HistoryEntry>
  /** More packets after the last one did not fit the byte limit; ask again from its time. */
  readonly more: boolean
}

/** One site's ring: arrival order, oldest at `head`. */
class SiteRing {
  readonly times: Float64Array
  readonly arrivals: Float64Array
  readonly frames: Array<LiveFrame | undefined>
  head = 0
  size = 0
  /** False once a record arrived with a time before the previous one's (a radar rewinding). */
  ordered = true
  constructor(readonly capacity: number) {
    this.times = new Float64Array(capacity)
    this.arrivals = new Float64Array(capacity)
    this.frames = new Array<LiveFrame | undefined>(capacity)
  }
  private at(i: number): number {
    return (this.head + i) % this.capacity
  }
  dropOldest(): void {
    this.frames[this.head] = undefined
    this.head = (this.head + 1) % this.capacity
    this.size--
    if (this.size === 0) this.ordered = true
  }
  expire(before: number): void {
    while (this.size > 0 && this.arrivals[this.head]! < before) this.dropOldest()
  }
  add(time: number, arrival: number, frame: LiveFrame): void {
    if (this.size === this.capacity) this.dropOldest()
    if (this.size > 0 && time < this.times[this.at(this.size - 1)]!) this.ordered = false
    const slot = this.at(this.size)
    this.times[slot] = time
    this.arrivals[slot] = arrival
    this.frames[slot] = frame
    this.size++
  }
  after(since: number): Array<HistoryEntry> {
    const out: Array<HistoryEntry> = []
    for (let i = 0; i < this.size; i++) {
      const slot = this.at(i)
      if (this.times[slot]! > since) out.push({ time: this.times[slot]!, frame: this.frames[slot]! })
    }
    // Array.prototype.sort is stable: packets with equal times keep their arrival order.
    if (!this.ordered) out.sort((a, b) => a.time - b.time)
    return out
  }
}

export interface HistoryService {
  readonly enabled: boolean
  readonly minutes: number
  /** Keeps a site's packet; `arrival` (epoch ms) decides when it expires. Synchronous: called on the feed's hot path. */
  readonly add: (site: string, time: number, arrival: number, frame: LiveFrame) => void
  /**
   * The site's packets with a time after `since` (epoch ms; all when
   * undefined), oldest first, as many as fit in `maxBytes` of payload JSON.
   */
  readonly query: (site: string, since: number | undefined, maxBytes: number) => Effect.Effect<HistoryAnswer>
  /** Packets and frame bytes held now, over all sites. */
  readonly stats: Effect.Effect<{ readonly sites: number; readonly packets: number; readonly bytes: number }>
}

const makeHistory = (options: HistoryOptions): HistoryService => {
  const rings = new Map<string, SiteRing>()
  const windowMs = options.minutes * 60_000
  const enabled = options.minutes > 0
  return {
    enabled,
    minutes: options.minutes,
    add: (site, time, arrival, frame) => {
      if (!enabled || !Number.isFinite(time)) return
      let ring = rings.get(site)
      if (ring === undefined) {
        ring = new SiteRing(options.maxPacketsPerSite)
        rings.set(site, ring)
      }
      ring.expire(arrival - windowMs)
      ring.add(time, arrival, frame)
    },
    query: (site, since, maxBytes) =>
      Effect.sync(() => {
        const ring = rings.get(site)
        if (ring === undefined) return { entries: [], more: false }
        ring.expire(Date.now() - windowMs)
        const all = ring.after(since ?? Number.NEGATIVE_INFINITY)
        let bytes = 0
        for (let i = 0; i < all.length; i++) {
          const frame = all[i]!.frame
          bytes += frame.bytes.length - frame.jsonStart
          if (bytes > maxBytes && i > 0) return { entries: all.slice(0, i), more: true }
        }
        return { entries: all, more: false }
      }),
    stats: Effect.sync(() => {
      let packets = 0
      let bytes = 0
      for (const ring of rings.values()) {
        for (let i = 0; i < ring.size; i++) bytes += ring.frames[(ring.head + i) % ring.capacity]!.bytes.length
        packets += ring.size
      }
      return { sites: rings.size, packets, bytes }
    })
  }
}

const Minutes = Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, MAX_HISTORY_MINUTES))

/** HISTORY_MINUTES: a decimal integer 0-1440. */
const historyMinutes = Config.string("HISTORY_MINUTES").pipe(
  Config.mapOrFail((raw) =>
    /^\s*\d+\s*$/.test(raw)
      ? Schema.decodeEither(Minutes)(raw.trim()).pipe(
        Either.mapLeft(() =>
          ConfigError.InvalidData(
            [],
            `HISTORY_MINUTES must be an integer 0-${MAX_HISTORY_MINUTES}, got ${JSON.stringify(raw)}`
          )
        )
      )
      : Either.left(
        ConfigError.InvalidData(
          [],
          `HISTORY_MINUTES must be an integer 0-${MAX_HISTORY_MINUTES}, got ${JSON.stringify(raw)}`
        )
      )
  ),
  Config.withDefault(10)
)

export class History extends Context.Tag("superdarn-hub/History")<History, HistoryService>() {
  static readonly layer = (options: Partial<HistoryOptions> & { readonly minutes: number }) =>
    Layer.succeed(
      History,
      makeHistory({ maxPacketsPerSite: packetsPerSiteFor(options.minutes), ...options })
    )
  /** From HISTORY_MINUTES. */
  static readonly Default = Layer.effect(
    History,
    Effect.map(historyMinutes, (minutes) => makeHistory({ minutes, maxPacketsPerSite: packetsPerSiteFor(minutes) }))
  )
}
