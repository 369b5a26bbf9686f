/**
 * Decoding of one DMAP record whose bytes are known to be present. Shared by
 * the whole-buffer decoder and the incremental decoder, which differ only in
 * how they gather the bytes.
 *
 * Every read is bounds-checked against the record end before it happens, and
 * every allocation is sized only after its size was checked against the bytes
 * actually left in the record, so a forged count cannot make us allocate more
 * than the record holds.
 *
 * The record is checked completely here, once; what is kept is a copy of its
 * bytes and a table of where each field lies (see DecodedRecord), from which
 * the fields are read without further checks.
 */
import {
  DecodedRecord,
  FIELD_DATA_END_OR_COUNT,
  FIELD_DATA_START,
  FIELD_NAME_END,
  FIELD_NAME_ID,
  FIELD_NAME_START,
  FIELD_WORDS,
  type RecordBytes,
  type SlabArena,
  STRING_TYPE
} from "./decoded-record.js"
import { DmapDecodeError, type DmapErrorReason } from "./errors.js"
import { latin1Decode, NAME_HASH_SEED, nameHashStep, nameId } from "./latin1.js"
import { ELEMENT_BYTES, HEADER_BYTES, MAX_DIMENSIONS, NESTED_RECORD_TYPE, RECORD_CODE } from "./wire.js"

/** Smallest possible entries: name NUL + type + 1 value byte; name NUL + type + ndims + 1 dim. */
const MIN_SCALAR_BYTES = 3
const MIN_ARRAY_BYTES = 10

/** Below this many bytes a plain loop copies faster than creating a subarray for `set`. */
const SMALL_COPY_BYTES = 48

const fail = (offset: number, reason: DmapErrorReason, detail: string): DmapDecodeError =>
  new DmapDecodeError({ offset, reason, detail })

/**
 * Checks the code and size of a record header found at absolute `offset`.
 * The caller must have the 16 header bytes; it need not have the rest yet.
 */
export const checkRecordHeader = (
  code: number,
  size: number,
  offset: number,
  maxRecordBytes: number
): DmapDecodeError | undefined => {
  if (code !== RECORD_CODE) {
    return fail(offset, "BadRecordCode", `record code is ${code}, expected ${RECORD_CODE}`)
  }
  if (size < HEADER_BYTES) {
    return fail(offset + 4, "SizeTooSmall", `record size ${size} is smaller than the ${HEADER_BYTES}-byte header`)
  }
  if (size > maxRecordBytes) {
    return fail(offset + 4, "SizeTooLarge", `record size ${size} exceeds the maximum of ${maxRecordBytes} bytes`)
  }
  return undefined
}

const unknownType = (offset: number, type: number, what: string): DmapDecodeError =>
  type === NESTED_RECORD_TYPE
    ? fail(offset, "NestedRecord", `${what} has type 255 (nested record), which SuperDARN files never use`)
    : fail(offset, "UnknownType", `${what} has unknown type code ${type}`)

/**
 * Decodes the record occupying `bytes[start, start + size)` of `source`,
 * whose header was already accepted by `checkRecordHeader`. `base` is the
 * absolute offset of `bytes[0]` in the input, so errors point into the file
 * or stream. The field table is carved from `arena`. With `copy` the record
 * keeps a copy of its bytes there too, and `source` may be reused once this
 * returns; without, the record reads `source`, which must then stay as it is.
 */
export const decodeRecordBody = (
  source: RecordBytes,
  start: number,
  size: number,
  base: number,
  arena: SlabArena,
  copy: boolean
): DecodedRecord | DmapDecodeError => {
  const { bytes, view } = source
  const end = start + size
  const scalarCount = view.getInt32(start + 8, true)
  const arrayCount = view.getInt32(start + 12, true)
  if (
    scalarCount < 0 ||
    arrayCount < 0 ||
    scalarCount * MIN_SCALAR_BYTES + arrayCount * MIN_ARRAY_BYTES > size - HEADER_BYTES
  ) {
    return fail(
      base + start + 8,
      "BadEntryCount",
      `${scalarCount} scalars and ${arrayCount} arrays cannot fit in a ${size}-byte record`
    )
  }
  // The counts were just bounded by the size, and so is the table.
  const copyBytes = copy ? (size + 7) & ~7 : 0
  const slab = arena.reserve(copyBytes + 4 * FIELD_WORDS * (scalarCount + arrayCount))
  const table = (slab.used + copyBytes) >>> 2
  const words = slab.words

  let p = start + HEADER_BYTES
  let entry = table
  for (let i = 0; i < scalarCount; i++, entry += FIELD_WORDS) {
    const nameStart = p
    let hash = NAME_HASH_SEED
    let q = p
    while (q < end && bytes[q] !== 0) {
      hash = nameHashStep(hash, bytes[q]!)
      q++
    }
    if (q >= end) {
      return fail(base + nameStart, "UnterminatedString", `scalar ${i}: name runs past the end of the record`)
    }
    const nameEnd = q
    p = q + 1
    if (p >= end) {
      return fail(
        base + p,
        "DataPastRecord",
        `scalar "${latin1Decode(bytes, nameStart, nameEnd)}": type byte lies past the end of the record`
      )
    }
    const type = bytes[p]!
    p++
    const valueStart = p
    if (type === STRING_TYPE) {
      q = p
      while (q < end && bytes[q] !== 0) q++
      if (q >= end) {
        return fail(
          base + p,
          "UnterminatedString",
          `scalar "${latin1Decode(bytes, nameStart, nameEnd)}": string runs past the end of the record`
        )
      }
      words[entry + FIELD_DATA_END_OR_COUNT] = q - start
      p = q + 1
    } else {
      const width = ELEMENT_BYTES[type]!
      if (width === 0) return unknownType(base + p - 1, type, `scalar "${latin1Decode(bytes, nameStart, nameEnd)}"`)
      if (p + width > end) {
        return fail(
          base + p,
          "DataPastRecord",
          `scalar "${latin1Decode(bytes, nameStart, nameEnd)}": value runs past the end of the record`
        )
      }
      p += width
      words[entry + FIELD_DATA_END_OR_COUNT] = p - start
    }
    words[entry + FIELD_NAME_ID] = nameId(bytes, nameStart, nameEnd, hash)
    words[entry + FIELD_NAME_START] = nameStart - start
    words[entry + FIELD_NAME_END] = nameEnd - start
    words[entry + FIELD_DATA_START] = valueStart - start
  }

  for (let i = 0; i < arrayCount; i++, entry += FIELD_WORDS) {
    const nameStart = p
    let hash = NAME_HASH_SEED
    let q = p
    while (q < end && bytes[q] !== 0) {
      hash = nameHashStep(hash, bytes[q]!)
      q++
    }
    if (q >= end) {
      return fail(base + nameStart, "UnterminatedString", `array ${i}: name runs past the end of the record`)
    }
    const nameEnd = q
    p = q + 1
    if (p >= end) {
      return fail(
        base + p,
        "DataPastRecord",
        `array "${latin1Decode(bytes, nameStart, nameEnd)}": type byte lies past the end of the record`
      )
    }
    const type = bytes[p]!
    const width = ELEMENT_BYTES[type]!
    if (width === 0 && type !== STRING_TYPE) {
      return unknownType(base + p, type, `array "${latin1Decode(bytes, nameStart, nameEnd)}"`)
    }
    p++
    if (p + 4 > end) {
      return fail(
        base + p,
        "DataPastRecord",
        `array "${latin1Decode(bytes, nameStart, nameEnd)}": dimension count runs past the end of the record`
      )
    }
    const dimensionCount = view.getInt32(p, true)
    if (dimensionCount <= 0 || dimensionCount > MAX_DIMENSIONS) {
      return fail(
        base + p,
        "BadDimensionCount",
        `array "${
          latin1Decode(bytes, nameStart, nameEnd)
        }": dimension count ${dimensionCount} is outside 1..${MAX_DIMENSIONS}`
      )
    }
    p += 4
    if (p + 4 * dimensionCount > end) {
      return fail(
        base + p,
        "DataPastRecord",
        `array "${latin1Decode(bytes, nameStart, nameEnd)}": dimensions run past the end of the record`
      )
    }
    // A product of up to 16 int32 stays far below Number.MAX_VALUE, so the
    // comparison with the bytes left is exact enough to refuse any forgery.
    let count = 1
    for (let d = 0; d < dimensionCount; d++) {
      const dim = view.getInt32(p, true)
      if (dim < 0) {
        return fail(
          base + p,
          "NegativeDimension",
          `array "${latin1Decode(bytes, nameStart, nameEnd)}": dimension ${d} is ${dim}`
        )
      }
      count *= dim
      p += 4
    }
    const dataStart = p
    if (type === STRING_TYPE) {
      // Each string takes at least its NUL.
      if (count > end - p) {
        return fail(
          base + p,
          "DataPastRecord",
          `array "${latin1Decode(bytes, nameStart, nameEnd)}": ${count} strings cannot fit in the ${end - p} bytes left`
        )
      }
      for (let s = 0; s < count; s++) {
        q = p
        while (q < end && bytes[q] !== 0) q++
        if (q >= end) {
          return fail(
            base + p,
            "UnterminatedString",
            `array "${latin1Decode(bytes, nameStart, nameEnd)}": string ${s} runs past the end of the record`
          )
        }
        p = q + 1
      }
    } else {
      const byteLength = count * width
      if (byteLength > end - p) {
        return fail(
          base + p,
          "DataPastRecord",
          `array "${
            latin1Decode(bytes, nameStart, nameEnd)
          }": ${count} elements of ${width} bytes run past the end of the record (${end - p} bytes left)`
        )
      }
      p += byteLength
    }
    words[entry + FIELD_NAME_ID] = nameId(bytes, nameStart, nameEnd, hash)
    words[entry + FIELD_NAME_START] = nameStart - start
    words[entry + FIELD_NAME_END] = nameEnd - start
    words[entry + FIELD_DATA_START] = dataStart - start
    words[entry + FIELD_DATA_END_OR_COUNT] = count
  }

  if (p !== end) {
    return fail(
      base + start + 4,
      "SizeMismatch",
      `the size field says ${size} bytes but the entries use ${p - start}`
    )
  }
  if (!copy) {
    arena.commit(slab, 4 * FIELD_WORDS * (scalarCount + arrayCount))
    return new DecodedRecord(source, start, size, words, table, scalarCount, arrayCount)
  }
  const at = slab.used
  if (size <= SMALL_COPY_BYTES) {
    for (let k = 0; k < size; k++) slab.bytes[at + k] = bytes[start + k]!
  } else {
    slab.bytes.set(bytes.subarray(start, end), at)
  }
  arena.commit(slab, copyBytes + 4 * FIELD_WORDS * (scalarCount + arrayCount))
  return new DecodedRecord(slab, at, size, words, table, scalarCount, arrayCount)
}
