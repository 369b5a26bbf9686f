/**
 * DMAP encoding: the inverse of the decoder, byte for byte. Sizes are computed
 * first so each record is written into one exactly-sized buffer.
 *
 * A record that cannot be written (a name or string with a NUL or a character
 * above U+00FF, array data whose length disagrees with its dims, a type code
 * that is not DMAP) is a programming error and throws a RangeError: every
 * record this project encodes was decoded or built by its own code.
 */
import { DecodedRecord, SlabArray, writeScalar } from "./decoded-record.js"
import type { DmapArray, DmapRecord, DmapScalar, DmapScalarValue } from "./types.js"
import { DmapType } from "./types.js"
import { ELEMENT_BYTES, HEADER_BYTES, HOST_IS_LITTLE_ENDIAN, RECORD_CODE } from "./wire.js"

const elementWidth = (type: number, field: string): number => {
  const width = ELEMENT_BYTES[type] ?? 0
  if (width === 0 && type !== DmapType.string) throw new RangeError(`field "${field}": ${type} is not a DMAP type code`)
  return width
}

/** Decoded arrays are counted without creating their typed view. */
const dataLength = (array: DmapArray): number => (array instanceof SlabArray ? array.length : array.data.length)

const elementCount = (array: DmapArray): number => {
  let count = 1
  for (const dim of array.dims) count *= dim
  const length = dataLength(array)
  if (array.dims.length === 0 || count !== length) {
    throw new RangeError(`array "${array.name}": dims [${array.dims.join(", ")}] do not match ${length} elements`)
  }
  return count
}

/** Writes `text` as latin1 plus a NUL; returns the offset after the NUL. */
const writeText = (out: Uint8Array, p: number, text: string, field: string): number => {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code === 0 || code > 0xff) {
      throw new RangeError(
        `field "${field}": character U+${code.toString(16).padStart(4, "0")} cannot be written to DMAP`
      )
    }
    out[p + i] = code
  }
  out[p + text.length] = 0
  return p + text.length + 1
}

const scalarBytes = (scalar: DmapScalar): number =>
  scalar.name.length + 2 +
  (scalar.type === DmapType.string ? String(scalar.value).length + 1 : elementWidth(scalar.type, scalar.name))

const arrayBytes = (array: DmapArray): number => {
  const head = array.name.length + 2 + 4 + 4 * array.dims.length
  const count = elementCount(array)
  if (array.type !== DmapType.string) return head + count * elementWidth(array.type, array.name)
  let text = 0
  for (const item of array.data as ReadonlyArray<string>) text += item.length + 1
  return head + text
}

/** The byte size `encodeRecord` will produce, header included. */
export const encodedSize = (record: DmapRecord): number => {
  if (record instanceof DecodedRecord && !record.arraysRead) return record.wireBytes().length
  let size = HEADER_BYTES
  for (const scalar of record.scalars) size += scalarBytes(scalar)
  for (const array of record.arrays) size += arrayBytes(array)
  return size
}

const asNumber = (value: DmapScalarValue): number => (typeof value === "number" ? value : Number(value))
const asBigInt = (value: DmapScalarValue): bigint =>
  typeof value === "bigint" ? value : BigInt(Math.trunc(Number(value)))

const writeScalarValue = (view: DataView, p: number, type: number, value: DmapScalarValue): void =>
  writeScalar(
    view,
    p,
    type,
    type === DmapType.long || type === DmapType.ulong ? asBigInt(value) : asNumber(value),
    true
  )

/** The typed array the decoder gives for each numeric type; its bytes can be copied as they are. */
const NATIVE_ARRAY: Readonly<Record<number, abstract new(length: number) => ArrayBufferView>> = {
  [DmapType.char]: Int8Array,
  [DmapType.short]: Int16Array,
  [DmapType.int]: Int32Array,
  [DmapType.float]: Float32Array,
  [DmapType.double]: Float64Array,
  [DmapType.long]: BigInt64Array,
  [DmapType.uchar]: Uint8Array,
  [DmapType.ushort]: Uint16Array,
  [DmapType.uint]: Uint32Array,
  [DmapType.ulong]: BigUint64Array
}

/**
 * Writes `count` elements one by one through a DataView: on big-endian hosts,
 * or when the data is held in another typed array than the type's own (an
 * Int32Array for a float array), so each value is converted, not its bits.
 */
const writeElementsPortably = (view: DataView, p: number, array: DmapArray, count: number, width: number): void => {
  const data = array.data as ArrayLike<number | bigint>
  for (let i = 0; i < count; i++) writeScalarValue(view, p + i * width, array.type, data[i]!)
}

export const encodeRecord = (record: DmapRecord): Uint8Array => {
  // A decoded record whose arrays were never handed out is its wire bytes.
  if (record instanceof DecodedRecord && !record.arraysRead) return record.wireBytes().slice()
  const size = encodedSize(record)
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  view.setInt32(0, RECORD_CODE, true)
  view.setInt32(4, size, true)
  view.setInt32(8, record.scalars.length, true)
  view.setInt32(12, record.arrays.length, true)
  let p = HEADER_BYTES
  for (const scalar of record.scalars) {
    p = writeText(out, p, scalar.name, scalar.name)
    out[p++] = scalar.type
    if (scalar.type === DmapType.string) {
      p = writeText(out, p, String(scalar.value), scalar.name)
    } else {
      writeScalarValue(view, p, scalar.type, scalar.value)
      p += ELEMENT_BYTES[scalar.type]!
    }
  }
  for (const array of record.arrays) {
    p = writeText(out, p, array.name, array.name)
    out[p++] = array.type
    view.setInt32(p, array.dims.length, true)
    p += 4
    for (const dim of array.dims) {
      view.setInt32(p, dim, true)
      p += 4
    }
    if (array.type === DmapType.string) {
      for (const item of array.data as ReadonlyArray<string>) p = writeText(out, p, item, array.name)
      continue
    }
    const width = ELEMENT_BYTES[array.type]!
    if (HOST_IS_LITTLE_ENDIAN && array instanceof SlabArray) {
      // A decoded array's slab bytes are the wire bytes: copied without a typed view.
      const bytes = array.bytes()
      out.set(bytes, p)
      p += bytes.length
      continue
    }
    const data = array.data as Exclude<DmapArray["data"], ReadonlyArray<string>>
    const count = data.length
    if (HOST_IS_LITTLE_ENDIAN && data.constructor === NATIVE_ARRAY[array.type]) {
      out.set(new Uint8Array(data.buffer, data.byteOffset, count * width), p)
    } else {
      writeElementsPortably(view, p, array, count, width)
    }
    p += count * width
  }
  return out
}

/** Records concatenated, as in a DMAP file. */
export const encodeRecords = (records: Iterable<DmapRecord>): Uint8Array => {
  const parts: Array<Uint8Array> = []
  let total = 0
  for (const record of records) {
    const part = encodeRecord(record)
    parts.push(part)
    total += part.length
  }
  const out = new Uint8Array(total)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
