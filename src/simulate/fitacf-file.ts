/**
 * The records a simulated radar replays, read from a real .fitacf file (plain,
 * bzip2 or gzip), and their re-stamping to the current time for `--now`.
 */
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { readDataFile } from "../compression/data-file.js"
import { decodeRecords } from "../dmap/decode.js"
import { getScalar, withScalars } from "../dmap/record.js"
import { type DmapRecord, DmapType } from "../dmap/types.js"

export class SimulationFileError extends Data.TaggedError("SimulationFileError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return `${this.path}: ${this.reason}`
  }
}

/** Every record of the file; a file with a bad record or none at all is refused. */
export const readFitacfFile = (path: string): Effect.Effect<ReadonlyArray<DmapRecord>, SimulationFileError> =>
  readDataFile(path).pipe(
    Stream.runCollect,
    // The file error's own message starts with the path, which this error's message already gives.
    Effect.mapError((error) =>
      new SimulationFileError({
        path,
        reason: `${error.compression === "none" ? "" : `(${error.compression}) `}${error.reason}: ${error.detail}`
      })
    ),
    Effect.flatMap((chunks) => {
      const parts = Chunk.toReadonlyArray(chunks)
      const bytes = new Uint8Array(parts.reduce((n, part) => n + part.length, 0))
      let offset = 0
      for (const part of parts) {
        bytes.set(part, offset)
        offset += part.length
      }
      const { error, records } = decodeRecords(bytes)
      if (error !== undefined) return Effect.fail(new SimulationFileError({ path, reason: error.message }))
      if (records.length === 0) return Effect.fail(new SimulationFileError({ path, reason: "holds no records" }))
      return Effect.succeed(records)
    })
  )

/** The record with its time fields set to `epochMs` in UTC, each keeping its DMAP type. */
export const restampRecord = (record: DmapRecord, epochMs: number): DmapRecord => {
  const now = new Date(epochMs)
  // Old ROS servers write time.us as a short, which cannot hold microseconds past 32767.
  const us = getScalar(record, "time.us")?.type === DmapType.short ? 0 : now.getUTCMilliseconds() * 1000
  return withScalars(record, {
    "time.yr": now.getUTCFullYear(),
    "time.mo": now.getUTCMonth() + 1,
    "time.dy": now.getUTCDate(),
    "time.hr": now.getUTCHours(),
    "time.mt": now.getUTCMinutes(),
    "time.sc": now.getUTCSeconds(),
    "time.us": us
  })
}
