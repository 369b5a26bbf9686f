/** The 100 real records of test/fixtures/pydarn-north.fitacf.bz2 (Hankasalmi, stereo), decoded once. */
import { Effect, Stream } from "effect"
import { readDataFile } from "../../../src/compression/data-file.js"
import { type Fitacf, fitacfView } from "../../../src/dmap/fitacf.js"
import type { DmapRecord } from "../../../src/dmap/types.js"
import { dmapRecords } from "../../../src/streams/dmap-records.js"
import { fixturePath } from "../../support/fixtures.js"

export const PYDARN_NORTH = fixturePath("pydarn-north.fitacf.bz2")

export interface FixtureRecord {
  readonly record: DmapRecord
  readonly fitacf: Fitacf
}

export const loadPydarnNorth: Effect.Effect<ReadonlyArray<FixtureRecord>, unknown> = readDataFile(PYDARN_NORTH).pipe(
  dmapRecords(),
  Stream.runCollect,
  Effect.flatMap((records) =>
    Effect.forEach(records, (record) => Effect.map(fitacfView(record), (fitacf): FixtureRecord => ({ record, fitacf })))
  )
)
