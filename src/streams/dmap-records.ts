/**
 * A byte stream in, DMAP records out. Records already complete when a decode
 * error shows up are emitted before the stream fails with that error.
 */
import * as Stream from "effect/Stream"
import type { DecodeOptions } from "../dmap/decode.js"
import type { DmapDecodeError } from "../dmap/errors.js"
import { DmapRecordDecoder } from "../dmap/record-decoder.js"
import type { DmapRecord } from "../dmap/types.js"

export const dmapRecords =
  (options?: DecodeOptions) =>
  <E, R>(bytes: Stream.Stream<Uint8Array, E, R>): Stream.Stream<DmapRecord, E | DmapDecodeError, R> =>
    // One decoder per run of the stream, so running it twice starts afresh.
    Stream.suspend(() => {
      const decoder = new DmapRecordDecoder(options)
      const emit = (records: ReadonlyArray<DmapRecord>, error: DmapDecodeError | undefined) =>
        error === undefined
          ? Stream.fromIterable(records)
          : Stream.concat(Stream.fromIterable(records), Stream.fail(error))
      return bytes.pipe(
        Stream.flatMap((chunk) => {
          const step = decoder.push(chunk)
          return emit(step.records, step.error)
        }),
        Stream.concat(Stream.suspend(() => emit([], decoder.finish())))
      )
    })
