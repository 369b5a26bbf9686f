/**
 * One DMAP record as one line of JSON, the `dmap dump` format: keys are the
 * field names in file order (scalars, then arrays); arrays are nested in the
 * user-facing shape (stored dims reversed); NaN and the infinities are the
 * strings "NaN", "Infinity", "-Infinity"; -0 is -0; 64-bit integers are
 * written with all their digits (JSON numbers have no size limit; readers
 * that parse them as doubles are the reader's choice, not a loss in the file).
 * Every other number is written as JavaScript prints it.
 *
 * A decoded record is written from its slab (see DecodedRecord): its fields'
 * objects are never built. Every numeric list, decoded or built in code, is
 * read through a DataView by the element kind, so there is one printer per
 * kind.
 *
 * The lines are written as UTF-8 bytes straight into one reusable buffer:
 * no string per number, per array or per line. Strings made per value end up
 * in V8's number-string cache and the old generation, which made the process
 * grow with the file and spend its time collecting them.
 */
import { DecodedRecord, readScalar, skipStrings } from "./decoded-record.js"
import { MAX_NUMBER_BYTES, writeFloat32, writeInteger, writeNumber } from "./number-text.js"
import type { RecordLayout } from "./record-layout.js"
import type { DmapArray, DmapArrayData, DmapRecord, DmapScalarValue } from "./types.js"
import { DmapType } from "./types.js"
import { ELEMENT_BYTES, HEADER_BYTES, HOST_IS_LITTLE_ENDIAN, MAX_DIMENSIONS, STRING_TYPE } from "./wire.js"

const utf8 = new TextEncoder()

/** Room for one element of any kind but a string or a 64-bit integer: a number, "-Infinity" quoted, a comma. */
const ELEMENT_ROOM = MAX_NUMBER_BYTES + 2

/** Field names repeat in every record; their JSON key (`"name":`) is encoded once. */
const encodedKeys = new Map<string, Uint8Array>()

/** The keys of a layout's fields, in field order: no lookup by string for a decoded record. */
const keysByLayout = new WeakMap<RecordLayout, ReadonlyArray<Uint8Array>>()

const keysOf = (layout: RecordLayout): ReadonlyArray<Uint8Array> => {
  let keys = keysByLayout.get(layout)
  if (keys === undefined) {
    keys = layout.names.map(encodeKey)
    keysByLayout.set(layout, keys)
  }
  return keys
}

const encodeKey = (name: string): Uint8Array => {
  let key = encodedKeys.get(name)
  if (key === undefined) {
    key = utf8.encode(`${JSON.stringify(name)}:`)
    // Bounded: a corrupt file could otherwise fill it with unique names.
    if (encodedKeys.size < 4096) encodedKeys.set(name, key)
  }
  return key
}

const NAN = utf8.encode("\"NaN\"")
const INFINITY = utf8.encode("\"Infinity\"")
const MINUS_INFINITY = utf8.encode("\"-Infinity\"")
const MINUS_ZERO = utf8.encode("-0")
const NULL = utf8.encode("null")
const ZERO_TEXT = utf8.encode("0")

/** Bytes the buffer starts with and returns to after a record that needed more. */
const INITIAL_BYTES = 64 * 1024
/** A buffer grown past this (by a huge record) is let go once taken; below it, it is kept, even if taken every 256 KiB. */
const KEEP_BYTES = 1024 * 1024

/**
 * JSON lines written into one growing buffer. The caller takes the bytes
 * (`take`) when `size` is large enough, hands them on, and must be done with
 * them before the next `add`, which writes over them.
 */
export class JsonLineWriter {
  #out: Uint8Array = new Uint8Array(INITIAL_BYTES)
  #used = 0
  /** The dimensions of the numeric array being written (stored order). */
  #dims = new Int32Array(MAX_DIMENSIONS)

  /** Bytes written and not yet taken. */
  get size(): number {
    return this.#used
  }

  /** Appends the record's line, newline included. */
  add(record: DmapRecord): void {
    if (record instanceof DecodedRecord && !record.arraysRead) {
      this.#addDecoded(record)
      return
    }
    let first = true
    this.#byte(123) // {
    for (const scalar of record.scalars) {
      if (!first) this.#byte(44)
      first = false
      this.#bytes(encodeKey(scalar.name))
      this.#scalar(scalar.value)
    }
    for (const array of record.arrays) {
      if (!first) this.#byte(44)
      first = false
      this.#bytes(encodeKey(array.name))
      this.#array(array)
    }
    this.#byte(125) // }
    this.#byte(10)
  }

  /** A decoded record straight from its bytes, walked field by field. */
  #addDecoded(record: DecodedRecord): void {
    const { bytes, view } = record.source
    const layout = record.layout
    const { names, scalarCount, types } = layout
    const keys = keysOf(layout)
    const fields = names.length
    let p = record.start + HEADER_BYTES
    this.#byte(123) // {
    for (let field = 0; field < fields; field++) {
      if (field > 0) this.#byte(44)
      this.#bytes(keys[field]!)
      p += names[field]!.length + 2
      const type = types[field]!
      if (field < scalarCount) {
        if (type === STRING_TYPE) {
          const end = skipStrings(bytes, p, 1)
          const out = this.#reserve(2 + 6 * (end - 1 - p))
          this.#used = writeLatin1String(out, this.#used, bytes, p, end - 1)
          p = end
          continue
        }
        if (type === DmapType.long || type === DmapType.ulong) {
          this.#text(readScalar(view, p, type).toString())
        } else {
          const out = this.#reserve(ELEMENT_ROOM)
          this.#used = writeJsonNumber(out, this.#used, readScalar(view, p, type) as number)
        }
        p += ELEMENT_BYTES[type]!
        continue
      }
      const dimensionCount = view.getInt32(p, true)
      const dims = this.#dims
      let count = 1
      for (let d = 0; d < dimensionCount; d++) {
        dims[d] = view.getInt32(p + 4 + 4 * d, true)
        count *= dims[d]!
      }
      const dataStart = p + 4 + 4 * dimensionCount
      if (type === STRING_TYPE) {
        // Rare (none in fitacf or rawacf): through the array object.
        this.#array(record.arrays[field - scalarCount]!)
        p = skipStrings(bytes, dataStart, count)
        continue
      }
      if (type === DmapType.long || type === DmapType.ulong) {
        this.#array(record.arrays[field - scalarCount]!)
      } else {
        this.#numbers(view, true, type, dataStart, count, dimensionCount)
      }
      p = dataStart + count * ELEMENT_BYTES[type]!
    }
    this.#byte(125) // }
    this.#byte(10)
  }

  /**
   * The bytes written since the last take, which the writer forgets. They
   * are a view of the writer's buffer: valid until the next `add`.
   */
  take(): Uint8Array {
    const bytes = this.#out.subarray(0, this.#used)
    this.#used = 0
    // After an exceptionally large record, let its buffer go once handed on.
    if (this.#out.length > KEEP_BYTES) this.#out = new Uint8Array(INITIAL_BYTES)
    return bytes
  }

  /** Makes room for `bytes` more bytes. */
  #reserve(bytes: number): Uint8Array {
    if (this.#used + bytes > this.#out.length) {
      const grown = new Uint8Array(Math.max(2 * this.#out.length, this.#used + bytes))
      grown.set(this.#out.subarray(0, this.#used))
      this.#out = grown
    }
    return this.#out
  }

  #byte(byte: number): void {
    this.#reserve(1)[this.#used++] = byte
  }

  #bytes(bytes: Uint8Array): void {
    this.#reserve(bytes.length).set(bytes, this.#used)
    this.#used += bytes.length
  }

  #text(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const out = this.#reserve(3 * text.length)
    this.#used += utf8.encodeInto(text, out.subarray(this.#used)).written
  }

  #scalar(value: DmapScalarValue): void {
    if (typeof value === "number") {
      const out = this.#reserve(ELEMENT_ROOM)
      this.#used = writeJsonNumber(out, this.#used, value)
    } else if (typeof value === "bigint") {
      this.#text(value.toString())
    } else {
      this.#text(JSON.stringify(value))
    }
  }

  #array(array: DmapArray): void {
    const dims = array.dims
    if (dims.length === 0) {
      this.#bytes(EMPTY_LIST)
      return
    }
    const data = array.data
    const kind = Array.isArray(data) ? STRING_TYPE : KIND_OF.get(data.constructor) ?? 0
    if (kind === 0 || kind === STRING_TYPE || kind === DmapType.long || kind === DmapType.ulong) {
      this.#nested(data, dims, dims.length - 1, 0)
      return
    }
    if (dims.length > this.#dims.length) this.#dims = new Int32Array(dims.length)
    for (let d = 0; d < dims.length; d++) this.#dims[d] = dims[d]!
    const numbers = data as Exclude<DmapArrayData, ReadonlyArray<string>>
    const view = new DataView(numbers.buffer, numbers.byteOffset, numbers.byteLength)
    this.#numbers(view, HOST_IS_LITTLE_ENDIAN, kind, 0, numbers.length, dims.length)
  }

  /**
   * A numeric array of `held` elements of `kind` at `at` of `view`, nested
   * by the first `dimensionCount` of `#dims` (stored order, first fastest):
   * the last stored dimension is the outermost JSON list.
   */
  #numbers(
    view: DataView,
    littleEndian: boolean,
    kind: number,
    at: number,
    held: number,
    dimensionCount: number
  ): void {
    this.#numberNested(view, littleEndian, kind, at, held, dimensionCount - 1, 0)
  }

  #numberNested(
    view: DataView,
    littleEndian: boolean,
    kind: number,
    at: number,
    held: number,
    level: number,
    start: number
  ): void {
    const dims = this.#dims
    if (level === 0) {
      this.#numberList(view, littleEndian, kind, at, held, start, start + dims[0]!)
      return
    }
    let inner = 1
    for (let d = 0; d < level; d++) inner *= dims[d]!
    const outer = dims[level]!
    this.#byte(91) // [
    for (let i = 0; i < outer; i++) {
      if (i > 0) this.#byte(44)
      this.#numberNested(view, littleEndian, kind, at, held, level - 1, start + i * inner)
    }
    this.#byte(93) // ]
  }

  /** Elements [start, end) as a JSON list; those past `held` (dims promising more than the data holds) as null. */
  #numberList(
    view: DataView,
    littleEndian: boolean,
    kind: number,
    at: number,
    held: number,
    start: number,
    end: number
  ): void {
    this.#byte(91)
    const last = Math.min(end, held)
    if (last > start) {
      const out = this.#reserve((last - start) * ELEMENT_ROOM)
      const from = at + start * ELEMENT_BYTES[kind]!
      // One loop per element kind, so each stays monomorphic.
      this.#used = kind === DmapType.float
        ? writeFloat32List(out, this.#used, view, littleEndian, from, last - start)
        : kind === DmapType.double
        ? writeDoubleList(out, this.#used, view, littleEndian, from, last - start)
        : writeIntegerList(out, this.#used, view, littleEndian, kind, from, last - start)
    }
    for (let i = Math.max(start, last); i < end; i++) {
      if (i > start) this.#byte(44)
      this.#bytes(NULL)
    }
    this.#byte(93)
  }

  /**
   * The elements from `start` nested by `dims` (stored order, first
   * fastest), for strings and 64-bit integers.
   */
  #nested(data: DmapArrayData, dims: ReadonlyArray<number>, level: number, start: number): void {
    if (level === 0) {
      this.#list(data, start, start + dims[0]!)
      return
    }
    let inner = 1
    for (let d = 0; d < level; d++) inner *= dims[d]!
    const outer = dims[level]!
    this.#byte(91) // [
    for (let i = 0; i < outer; i++) {
      if (i > 0) this.#byte(44)
      this.#nested(data, dims, level - 1, start + i * inner)
    }
    this.#byte(93) // ]
  }

  /** Elements [start, end) of a list of strings or bigints (or a typed array of no DMAP kind) as a JSON list. */
  #list(data: DmapArrayData, start: number, end: number): void {
    this.#byte(91)
    for (let i = start; i < end; i++) {
      if (i > start) this.#byte(44)
      const value = (data as ArrayLike<string | number | bigint>)[i]
      if (value === undefined) this.#bytes(NULL)
      else if (typeof value === "bigint") this.#text(value.toString())
      else if (typeof value === "number") this.#scalar(value)
      else this.#text(JSON.stringify(value))
    }
    this.#byte(93)
  }
}

/** The DMAP kind of each typed array class, as its elements are read. */
const KIND_OF: ReadonlyMap<unknown, number> = new Map<unknown, number>([
  [Int8Array, DmapType.char],
  [Int16Array, DmapType.short],
  [Int32Array, DmapType.int],
  [Float32Array, DmapType.float],
  [Float64Array, DmapType.double],
  [BigInt64Array, DmapType.long],
  [Uint8Array, DmapType.uchar],
  [Uint16Array, DmapType.ushort],
  [Uint32Array, DmapType.uint],
  [BigUint64Array, DmapType.ulong]
])

const EMPTY_LIST = utf8.encode("[]")

const HEX_DIGITS = utf8.encode("0123456789abcdef")

/**
 * The latin1 bytes [start, end) as a JSON string in UTF-8, escaped exactly
 * as JSON.stringify escapes the decoded string: `out` has room for 6 bytes
 * per byte and the quotes.
 */
const writeLatin1String = (out: Uint8Array, p: number, bytes: Uint8Array, start: number, end: number): number => {
  out[p++] = 34 // "
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!
    if (byte >= 0x80) {
      // U+0080..U+00FF in two UTF-8 bytes.
      out[p++] = 0xc0 | (byte >> 6)
      out[p++] = 0x80 | (byte & 0x3f)
    } else if (byte === 34 || byte === 92) {
      out[p++] = 92
      out[p++] = byte
    } else if (byte >= 0x20) {
      out[p++] = byte
    } else {
      out[p++] = 92
      const short = SHORT_ESCAPES[byte]!
      if (short !== 0) {
        out[p++] = short
      } else {
        out[p++] = 117 // u
        out[p++] = 48
        out[p++] = 48
        out[p++] = HEX_DIGITS[byte >> 4]!
        out[p++] = HEX_DIGITS[byte & 15]!
      }
    }
  }
  out[p++] = 34
  return p
}

/** The letter of JSON's two-character escapes (\b \t \n \f \r) by control code; 0 for \u00XX. */
const SHORT_ESCAPES: Uint8Array = (() => {
  const table = new Uint8Array(32)
  table[8] = 98 // b
  table[9] = 116 // t
  table[10] = 110 // n
  table[12] = 102 // f
  table[13] = 114 // r
  return table
})()

const writeConstant = (out: Uint8Array, p: number, bytes: Uint8Array): number => {
  for (let i = 0; i < bytes.length; i++) out[p + i] = bytes[i]!
  return p + bytes.length
}

/** NaN and the infinities as the dump writes them: strings. */
const writeNonFinite = (out: Uint8Array, p: number, value: number): number =>
  writeConstant(out, p, value !== value ? NAN : value > 0 ? INFINITY : MINUS_INFINITY)

/** A number as the dump writes it: NaN and the infinities as strings, -0 as -0. */
const writeJsonNumber = (out: Uint8Array, p: number, value: number): number => {
  if (value - value !== 0) return writeNonFinite(out, p, value)
  return value === 0 && 1 / value < 0 ? writeConstant(out, p, MINUS_ZERO) : writeNumber(out, p, value)
}

/** The lists below write `count` elements from byte `at` of `view`, comma-separated, into `out`, which has room for them. */
const writeFloat32List = (
  out: Uint8Array,
  p: number,
  view: DataView,
  littleEndian: boolean,
  at: number,
  count: number
): number => {
  for (let i = 0; i < count; i++) {
    if (i > 0) out[p++] = 44
    const value = view.getFloat32(at + 4 * i, littleEndian)
    if (value - value !== 0) p = writeNonFinite(out, p, value)
    else if (value === 0) p = 1 / value < 0 ? writeConstant(out, p, MINUS_ZERO) : writeConstant(out, p, ZERO_TEXT)
    else p = writeFloat32(out, p, value)
  }
  return p
}

const writeDoubleList = (
  out: Uint8Array,
  p: number,
  view: DataView,
  littleEndian: boolean,
  at: number,
  count: number
): number => {
  for (let i = 0; i < count; i++) {
    if (i > 0) out[p++] = 44
    p = writeJsonNumber(out, p, view.getFloat64(at + 8 * i, littleEndian))
  }
  return p
}

const writeIntegerList = (
  out: Uint8Array,
  p: number,
  view: DataView,
  littleEndian: boolean,
  kind: number,
  at: number,
  count: number
): number => {
  switch (kind) {
    case DmapType.short:
      for (let i = 0; i < count; i++) {
        if (i > 0) out[p++] = 44
        p = writeInteger(out, p, view.getInt16(at + 2 * i, littleEndian))
      }
      return p
    case DmapType.int:
      for (let i = 0; i < count; i++) {
        if (i > 0) out[p++] = 44
        p = writeInteger(out, p, view.getInt32(at + 4 * i, littleEndian))
      }
      return p
    case DmapType.char:
      for (let i = 0; i < count; i++) {
        if (i > 0) out[p++] = 44
        p = writeInteger(out, p, view.getInt8(at + i))
      }
      return p
    case DmapType.uchar:
      for (let i = 0; i < count; i++) {
        if (i > 0) out[p++] = 44
        p = writeInteger(out, p, view.getUint8(at + i))
      }
      return p
    case DmapType.ushort:
      for (let i = 0; i < count; i++) {
        if (i > 0) out[p++] = 44
        p = writeInteger(out, p, view.getUint16(at + 2 * i, littleEndian))
      }
      return p
    default:
      for (let i = 0; i < count; i++) {
        if (i > 0) out[p++] = 44
        p = writeInteger(out, p, view.getUint32(at + 4 * i, littleEndian))
      }
      return p
  }
}

const decoder = new TextDecoder()
const single = new JsonLineWriter()

/** One record's JSON line as a string, without the newline. */
export const recordJson = (record: DmapRecord): string => {
  single.add(record)
  const bytes = single.take()
  return decoder.decode(bytes.subarray(0, bytes.length - 1))
}
