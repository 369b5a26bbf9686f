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
 * The record is checked completely here, once; what is kept is its bytes (or
 * a copy) and its layout (see RecordLayout), from which the fields are read
 * without further checks. A record with a layout seen lately is checked
 * against it (RecordLayout.matches); any other, and any record that check
 * refuses, goes through the full check below, which says what is wrong and
 * where.
 */
import { DecodedRecord, type RecordBytes, type SlabArena } from "./decoded-record.js"
import { DmapDecodeError, type DmapErrorReason } from "./errors.js"
import { latin1Decode } from "./latin1.js"
import { RecordLayout, recordLayouts } from "./record-layout.js"
import { ELEMENT_BYTES, HEADER_BYTES, MAX_DIMENSIONS, NESTED_RECORD_TYPE, RECORD_CODE, STRING_TYPE } from "./wire.js"

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
 * or stream. With `copy` the record keeps a copy of its bytes, carved from
 * `arena`, and `source` may be reused once this returns; without, the record
 * reads `source`, which must then stay as it is.
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
  let layout = recordLayouts.find(bytes, view, start, start + size)
  if (layout === undefined) {
    const checked = checkRecordBody(source, start, size, base)
    if (checked instanceof DmapDecodeError) return checked
    layout = recordLayouts.add(checked)
  }
  if (!copy) return new DecodedRecord(source, start, size, layout)
  const slab = arena.reserve(size)
  const at = slab.used
  if (size <= SMALL_COPY_BYTES) {
    for (let k = 0; k < size; k++) slab.bytes[at + k] = bytes[start + k]!
  } else {
    slab.bytes.set(bytes.subarray(start, start + size), at)
  }
  arena.commit(slab, size)
  return new DecodedRecord(slab, at, size, layout)
}

/** Checks every field of the record whole, and returns its layout or the first thing wrong with it. */
const checkRecordBody = (
  source: RecordBytes,
  start: number,
  size: number,
  base: number
): RecordLayout | DmapDecodeError => {
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
  // The counts were just bounded by the size, and so are these.
  const names = new Array<string>(scalarCount + arrayCount)
  const types = new Array<number>(scalarCount + arrayCount)

  let p = start + HEADER_BYTES
  for (let i = 0; i < scalarCount; i++) {
    const nameStart = p
    let q = p
    while (q < end && bytes[q] !== 0) q++
    if (q >= end) {
      return fail(base + nameStart, "UnterminatedString", `scalar ${i}: name runs past the end of the record`)
    }
    const name = latin1Decode(bytes, nameStart, q)
    p = q + 1
    if (p >= end) {
      return fail(base + p, "DataPastRecord", `scalar "${name}": type byte lies past the end of the record`)
    }
    const type = bytes[p]!
    p++
    if (type === STRING_TYPE) {
      q = p
      while (q < end && bytes[q] !== 0) q++
      if (q >= end) {
        return fail(base + p, "UnterminatedString", `scalar "${name}": string runs past the end of the record`)
      }
      p = q + 1
    } else {
      const width = ELEMENT_BYTES[type]!
      if (width === 0) return unknownType(base + p - 1, type, `scalar "${name}"`)
      if (p + width > end) {
        return fail(base + p, "DataPastRecord", `scalar "${name}": value runs past the end of the record`)
      }
      p += width
    }
    names[i] = name
    types[i] = type
  }

  for (let i = 0; i < arrayCount; i++) {
    const nameStart = p
    let q = p
    while (q < end && bytes[q] !== 0) q++
    if (q >= end) {
      return fail(base + nameStart, "UnterminatedString", `array ${i}: name runs past the end of the record`)
    }
    const name = latin1Decode(bytes, nameStart, q)
    p = q + 1
    if (p >= end) {
      return fail(base + p, "DataPastRecord", `array "${name}": type byte lies past the end of the record`)
    }
    const type = bytes[p]!
    const width = ELEMENT_BYTES[type]!
    if (width === 0 && type !== STRING_TYPE) return unknownType(base + p, type, `array "${name}"`)
    p++
    if (p + 4 > end) {
      return fail(base + p, "DataPastRecord", `array "${name}": dimension count runs past the end of the record`)
    }
    const dimensionCount = view.getInt32(p, true)
    if (dimensionCount <= 0 || dimensionCount > MAX_DIMENSIONS) {
      return fail(
        base + p,
        "BadDimensionCount",
        `array "${name}": dimension count ${dimensionCount} is outside 1..${MAX_DIMENSIONS}`
      )
    }
    p += 4
    if (p + 4 * dimensionCount > end) {
      return fail(base + p, "DataPastRecord", `array "${name}": dimensions run past the end of the record`)
    }
    // A product of up to 16 int32 stays far below Number.MAX_VALUE, so the
    // comparison with the bytes left is exact enough to refuse any forgery.
    let count = 1
    for (let d = 0; d < dimensionCount; d++) {
      const dim = view.getInt32(p, true)
      if (dim < 0) return fail(base + p, "NegativeDimension", `array "${name}": dimension ${d} is ${dim}`)
      count *= dim
      p += 4
    }
    if (type === STRING_TYPE) {
      // Each string takes at least its NUL.
      if (count > end - p) {
        return fail(
          base + p,
          "DataPastRecord",
          `array "${name}": ${count} strings cannot fit in the ${end - p} bytes left`
        )
      }
      for (let s = 0; s < count; s++) {
        q = p
        while (q < end && bytes[q] !== 0) q++
        if (q >= end) {
          return fail(base + p, "UnterminatedString", `array "${name}": string ${s} runs past the end of the record`)
        }
        p = q + 1
      }
    } else {
      const byteLength = count * width
      if (byteLength > end - p) {
        return fail(
          base + p,
          "DataPastRecord",
          `array "${name}": ${count} elements of ${width} bytes run past the end of the record (${end - p} bytes left)`
        )
      }
      p += byteLength
    }
    names[scalarCount + i] = name
    types[scalarCount + i] = type
  }

  if (p !== end) {
    return fail(
      base + start + 4,
      "SizeMismatch",
      `the size field says ${size} bytes but the entries use ${p - start}`
    )
  }
  return new RecordLayout(scalarCount, arrayCount, names, types)
}
