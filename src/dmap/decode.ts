/**
 * Whole-buffer DMAP decoding: one record (a connex payload, a ZeroMQ message)
 * or a whole file of concatenated records.
 */
import * as Either from "effect/Either"
import { sharedArena } from "./decoded-record.js"
import { DmapDecodeError } from "./errors.js"
import { checkRecordHeader, decodeRecordBody } from "./record-body.js"
import type { DmapRecord } from "./types.js"
import { DEFAULT_MAX_RECORD_BYTES, HEADER_BYTES, plainBytes } from "./wire.js"

export interface DecodeOptions {
  /** Largest size field accepted; default 64 MiB. */
  readonly maxRecordBytes?: number
}

export interface DecodedRecords {
  /** Every record before the first error, in input order. */
  readonly records: ReadonlyArray<DmapRecord>
  /** The first error, located at an absolute offset in the input; undefined when all bytes decoded. */
  readonly error: DmapDecodeError | undefined
}

const viewOf = (bytes: Uint8Array): DataView => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/** Decodes a buffer that must hold exactly one record, no more and no less. */
export const decodeRecord = (
  input: Uint8Array,
  options?: DecodeOptions
): Either.Either<DmapRecord, DmapDecodeError> => {
  const bytes = plainBytes(input)
  if (bytes.length < HEADER_BYTES) {
    return Either.left(
      new DmapDecodeError({
        offset: 0,
        reason: "Truncated",
        detail: `${bytes.length} bytes cannot hold the ${HEADER_BYTES}-byte record header`
      })
    )
  }
  const view = viewOf(bytes)
  const size = view.getInt32(4, true)
  const headerError = checkRecordHeader(
    view.getInt32(0, true),
    size,
    0,
    options?.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES
  )
  if (headerError !== undefined) return Either.left(headerError)
  if (size > bytes.length) {
    return Either.left(
      new DmapDecodeError({
        offset: 0,
        reason: "Truncated",
        detail: `the record needs ${size} bytes but only ${bytes.length} are present`
      })
    )
  }
  if (size < bytes.length) {
    return Either.left(
      new DmapDecodeError({
        offset: size,
        reason: "SizeMismatch",
        detail: `${bytes.length - size} bytes follow the ${size}-byte record`
      })
    )
  }
  // The caller's buffer (a socket's frame, a message) is not ours to keep: the record copies it.
  const result = decodeRecordBody({ bytes, view }, 0, size, 0, sharedArena, true)
  return result instanceof DmapDecodeError ? Either.left(result) : Either.right(result)
}

/**
 * Decodes a whole file: every good record, then the first error if any.
 * The records read their bytes from `input` (each is one small object
 * beside a shared layout): keep it unchanged while they are in use.
 */
export const decodeRecords = (input: Uint8Array, options?: DecodeOptions): DecodedRecords => {
  const bytes = plainBytes(input)
  const maxRecordBytes = options?.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES
  const view = viewOf(bytes)
  const source = { bytes, view }
  const records: Array<DmapRecord> = []
  let offset = 0
  while (offset < bytes.length) {
    const left = bytes.length - offset
    if (left < HEADER_BYTES) {
      return {
        records,
        error: new DmapDecodeError({
          offset,
          reason: "Truncated",
          detail: `${left} bytes left cannot hold the ${HEADER_BYTES}-byte record header`
        })
      }
    }
    const size = view.getInt32(offset + 4, true)
    const headerError = checkRecordHeader(view.getInt32(offset, true), size, offset, maxRecordBytes)
    if (headerError !== undefined) return { records, error: headerError }
    if (size > left) {
      return {
        records,
        error: new DmapDecodeError({
          offset,
          reason: "Truncated",
          detail: `the record needs ${size} bytes but only ${left} are left`
        })
      }
    }
    const result = decodeRecordBody(source, offset, size, 0, sharedArena, false)
    if (result instanceof DmapDecodeError) return { records, error: result }
    records.push(result)
    offset += size
  }
  return { records, error: undefined }
}
