/**
 * What the radar actors learn from each record besides its data: the
 * transmitter status (stat.agc, stat.lopwr, noise, frequency, nave, intt,
 * ercod, control program, with when each last changed) and the per-record
 * quality checks. Pure; the actor keeps the previous values and publishes the
 * result in the radar's status.
 */
import type { Fitacf } from "../../dmap/fitacf.js"
import type { DmapRecord } from "../../dmap/types.js"
import type { RadarRecord } from "../../domain/radar-record.js"
import {
  type RecordQuality,
  TRANSMITTER_FIELDS,
  type TransmitterField,
  type TransmitterStatus,
  zeroQuality
} from "../../domain/radar-status.js"
import { radarTable } from "../../domain/radar-table.js"
import { recordTimeMs } from "../../streams/record-time.js"

/** A record this far from the hub's clock counts as clock skew. */
export const CLOCK_SKEW_MS = 5 * 60_000

const scalar = (record: DmapRecord, name: string): number => {
  for (const entry of record.scalars) {
    if (entry.name === name) return typeof entry.value === "number" ? entry.value : Number(entry.value)
  }
  return Number.NaN
}

type TransmitterValues = { readonly [K in TransmitterField]: number }

/** The values of one record; a field the record lacks is NaN. */
export const transmitterValues = (record: DmapRecord, fitacf: Fitacf): TransmitterValues => ({
  agc: scalar(record, "stat.agc"),
  lopwr: scalar(record, "stat.lopwr"),
  noiseSearch: fitacf.noiseSearch,
  noiseMean: scalar(record, "noise.mean"),
  tfreq: fitacf.tfreq,
  nave: fitacf.nave,
  intt: scalar(record, "intt.sc") + scalar(record, "intt.us") / 1e6,
  ercod: scalar(record, "ercod"),
  cp: fitacf.cp
})

const same = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b))

/** The status after a record; the previous object itself when nothing changed. */
export const nextTransmitter = (
  previous: TransmitterStatus | undefined,
  values: TransmitterValues,
  now: number
): TransmitterStatus => {
  if (previous !== undefined && TRANSMITTER_FIELDS.every((field) => same(previous[field], values[field]))) {
    return previous
  }
  const changedAt = {} as Record<TransmitterField, number>
  for (const field of TRANSMITTER_FIELDS) {
    changedAt[field] = previous !== undefined && same(previous[field], values[field]) ? previous.changedAt[field] : now
  }
  return { ...values, changedAt }
}

/** What the checks remember of the previous record of the radar. */
export interface QualityMemory {
  readonly lastTimeMs: number | undefined
}

/**
 * One record's checks. `site` is the configured site: its station id comes
 * from the radar table (a site the table does not know is not checked).
 */
export const checkQuality = (
  quality: RecordQuality | undefined,
  memory: QualityMemory,
  record: { readonly site: string; readonly fitacf: Fitacf; readonly receivedAt: number }
): readonly [RecordQuality | undefined, QualityMemory] => {
  const timeMs = recordTimeMs(record.fitacf.time)
  const expected = radarTable().byCode.get(record.site)?.stid
  const station = expected !== undefined && record.fitacf.stid !== expected
  const skew = Math.abs(timeMs - record.receivedAt) > CLOCK_SKEW_MS
  const backwards = memory.lastTimeMs !== undefined && timeMs < memory.lastTimeMs
  const flag = record.fitacf.scan
  const scanFlag = flag !== 0 && flag !== 1 && flag !== -1 && flag !== -2
  const next: QualityMemory = { lastTimeMs: timeMs }
  if (!station && !skew && !backwards && !scanFlag) return [quality, next]
  const q = quality ?? zeroQuality
  return [{
    stationMismatch: q.stationMismatch + (station ? 1 : 0),
    clockSkew: q.clockSkew + (skew ? 1 : 0),
    timeBackwards: q.timeBackwards + (backwards ? 1 : 0),
    scanFlag: q.scanFlag + (scanFlag ? 1 : 0)
  }, next]
}

/** One radar's watch: fed every record, it gives the status fields to publish. */
export const recordWatch = () => {
  let transmitter: TransmitterStatus | undefined
  let quality: RecordQuality | undefined
  let memory: QualityMemory = { lastTimeMs: undefined }
  return {
    see: (record: RadarRecord): void => {
      transmitter = nextTransmitter(transmitter, transmitterValues(record.record, record.fitacf), record.receivedAt)
      ;[quality, memory] = checkQuality(quality, memory, record)
    },
    published: (): { transmitter?: TransmitterStatus; quality?: RecordQuality } => ({
      ...(transmitter === undefined ? {} : { transmitter }),
      ...(quality === undefined ? {} : { quality })
    })
  }
}
