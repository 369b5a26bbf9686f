/**
 * The radar list clients get from the `radars` event and `GET /radars`: each
 * configured radar's live state joined with its entry in the SuperDARN radar
 * table. The address an actor connects to is left out: it names hosts inside
 * radar networks, which the public does not need.
 */
import {
  type RadarCounters,
  type RadarPhase,
  type RadarStatus,
  type RadarTransport,
  type RecordQuality,
  setBits,
  type TransmitterStatus
} from "./radar-status.js"
import type { RadarInfo } from "./radar-table.js"

/** Where a radar is and looks, from its hardware table. */
export interface RadarPosition {
  readonly lat: number
  readonly lon: number
  /** Degrees east of north. */
  readonly boresight: number
}

export interface RadarListEntry {
  readonly site: string
  /** From the radar table; null for a site the table does not know. */
  readonly stid: number | null
  readonly name: string | null
  readonly operator: string | null
  readonly transport: RadarTransport
  readonly phase: RadarPhase
  /** Times are epoch milliseconds; null when it has not happened. */
  readonly phaseSince: number
  readonly connectedSince: number | null
  readonly lastRecordAt: number | null
  readonly nextAttemptAt: number | null
  readonly counters: RadarCounters
  readonly lastError: string | null
  /** Absent when the hub has no hardware table for the site. */
  readonly position?: RadarPosition
  /** From the latest record; absent before the first one (and for the Canada feed's own entry). */
  readonly transmitter?: TransmitterListEntry
  /** Records that failed each quality check; absent until one does. */
  readonly quality?: RecordQuality
}

/** The transmitter status with the set bits of its status words spelled out. */
export interface TransmitterListEntry extends TransmitterStatus {
  readonly agcBits: ReadonlyArray<number>
  readonly lopwrBits: ReadonlyArray<number>
}

const transmitterListEntry = (t: TransmitterStatus): TransmitterListEntry => ({
  agc: t.agc,
  agcBits: setBits(t.agc),
  lopwr: t.lopwr,
  lopwrBits: setBits(t.lopwr),
  noiseSearch: t.noiseSearch,
  noiseMean: t.noiseMean,
  tfreq: t.tfreq,
  nave: t.nave,
  intt: t.intt,
  ercod: t.ercod,
  cp: t.cp,
  changedAt: t.changedAt
})

/** Entries sorted by site code. */
export const radarList = (
  statuses: ReadonlyMap<string, RadarStatus>,
  lookup: (site: string) => RadarInfo | undefined,
  positionOf: (site: string) => RadarPosition | undefined = () => undefined
): Array<RadarListEntry> =>
  [...statuses.values()]
    .sort((a, b) => (a.site < b.site ? -1 : a.site > b.site ? 1 : 0))
    .map((status) => {
      const info = lookup(status.site)
      const position = positionOf(status.site)
      return {
        site: status.site,
        stid: info?.stid ?? null,
        name: info?.name ?? null,
        operator: info?.operator ?? null,
        transport: status.transport,
        phase: status.phase,
        phaseSince: status.phaseSince,
        connectedSince: status.connectedSince ?? null,
        lastRecordAt: status.lastRecordAt ?? null,
        nextAttemptAt: status.nextAttemptAt ?? null,
        counters: status.counters,
        lastError: status.lastError ?? null,
        ...(position === undefined ? {} : { position }),
        ...(status.transmitter === undefined ? {} : { transmitter: transmitterListEntry(status.transmitter) }),
        ...(status.quality === undefined ? {} : { quality: status.quality })
      }
    })
