/**
 * Real fitacf records from test/fixtures as the radar actors would hand them
 * to the hub. The .bz2 file is decompressed with the system bzip2, outside
 * the code under test.
 */
import { Either } from "effect"
import { execFileSync } from "node:child_process"
import { decodeRecords } from "../../../src/dmap/decode.js"
import { fitacfView } from "../../../src/dmap/fitacf.js"
import type { DmapRecord } from "../../../src/dmap/types.js"
import type { RadarRecord } from "../../../src/domain/radar-record.js"
import { fixturePath } from "../../support/fixtures.js"

const fixture = fixturePath

let north: ReadonlyArray<DmapRecord> | undefined

/** The 100 records of pydarn-north.fitacf.bz2 (Hankasalmi, stereo). */
export const northRecords = (): ReadonlyArray<DmapRecord> => {
  if (north === undefined) {
    const bytes = new Uint8Array(
      execFileSync("bzip2", ["-dc", fixture("pydarn-north.fitacf.bz2")], { maxBuffer: 1 << 26 })
    )
    const decoded = decodeRecords(bytes)
    if (decoded.error !== undefined || decoded.records.length !== 100) {
      throw new Error(`pydarn-north fixture: ${decoded.records.length} records, ${String(decoded.error)}`)
    }
    north = decoded.records
  }
  return north
}

/** A record as a radar actor emits it; throws if the fitacf view refuses it (a broken fixture). */
export const radarRecord = (site: string, record: DmapRecord, receivedAt = Date.now()): RadarRecord => {
  const view = fitacfView(record)
  if (Either.isLeft(view)) throw new Error(`fixture record is not fitacf: ${view.left.message}`)
  return { site, receivedAt, record, fitacf: view.right }
}
