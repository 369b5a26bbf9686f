/**
 * One DMAP record as one line of JSON, the `dmap dump` format: keys are the
 * field names in file order (scalars, then arrays); arrays are nested in the
 * user-facing shape (stored dims reversed); NaN and the infinities are the
 * strings "NaN", "Infinity", "-Infinity"; -0 is -0; 64-bit integers are
 * written with all their digits (JSON numbers have no size limit; readers
 * that parse them as doubles are the reader's choice, not a loss in the file).
 * Every other number is written as JavaScript prints it.
 *
 * The lines are written as UTF-8 bytes straight into one reusable buffer:
 * no string per number, per array or per line. Strings made per value end up
 * in V8's number-string cache and the old generation, which made the process
 * grow with the file and spend its time collecting them.
 */
import { MAX_NUMBER_BYTES, writeFloat32, writeInteger, writeNumber } from "./number-text.js"
import type { DmapArray, DmapArrayData, DmapRecord, DmapScalarValue } from "./types.js"

const utf8 = new TextEncoder()

/** Room for one element of any kind but a string or a 64-bit integer: a number, "-Infinity" quoted, a comma. */
const ELEMENT_ROOM = MAX_NUMBER_BYTES + 2

/** Field names repeat in every record; their JSON key (`"name":`) is encoded once. */
const encodedKeys = new Map<string, Uint8Array>()

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

/**
 * JSON lines written into one growing buffer. The caller takes the bytes
 * (`take`) when `size` is large enough, hands them on, and must be done with
 * them before the next `add`, which writes over them.
 */
export class JsonLineWriter {
  #out: Uint8Array = new Uint8Array(INITIAL_BYTES)
  #used = 0

  /** Bytes written and not yet taken. */
  get size(): number {
    return this.#used
  }

  /** Appends the record's line, newline included. */
  add(record: DmapRecord): void {
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

  /**
   * The bytes written since the last take, which the writer forgets. They
   * are a view of the writer's buffer: valid until the next `add`.
   */
  take(): Uint8Array {
    const bytes = this.#out.subarray(0, this.#used)
    this.#used = 0
    // After an exceptionally large record, let its buffer go once handed on.
    if (this.#out.length > 4 * INITIAL_BYTES) this.#out = new Uint8Array(INITIAL_BYTES)
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
    this.#nested(array.data, dims, dims.length - 1, 0)
  }

  /**
   * The elements from `start` nested by `dims` (stored order, first
   * fastest): the last stored dimension is the outermost JSON list.
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

  /** Elements [start, end) of a flat array as a JSON list. */
  #list(data: DmapArrayData, start: number, end: number): void {
    this.#byte(91)
    if (Array.isArray(data)) {
      for (let i = start; i < end; i++) {
        if (i > start) this.#byte(44)
        this.#text(JSON.stringify(data[i]))
      }
    } else if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
      for (let i = start; i < end; i++) {
        if (i > start) this.#byte(44)
        const value = data[i]
        if (value === undefined) this.#bytes(NULL)
        else this.#text(value.toString())
      }
    } else {
      const numbers = data as Exclude<DmapArrayData, ReadonlyArray<string> | BigInt64Array | BigUint64Array>
      // An array whose dims promise more elements than it holds: null, as JSON.stringify writes a hole.
      const held = Math.min(end, numbers.length)
      if (held > start) {
        const out = this.#reserve((held - start) * ELEMENT_ROOM)
        // One loop per element kind, so each stays monomorphic.
        this.#used = numbers instanceof Float32Array
          ? writeFloat32List(out, this.#used, numbers, start, held)
          : numbers instanceof Float64Array
          ? writeNumberList(out, this.#used, numbers, start, held)
          : writeIntegerList(out, this.#used, numbers, start, held)
      }
      for (let i = Math.max(start, held); i < end; i++) {
        if (i > start) this.#byte(44)
        this.#bytes(NULL)
      }
    }
    this.#byte(93)
  }
}

const EMPTY_LIST = utf8.encode("[]")

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

/** The lists below write elements [start, end) comma-separated into `out`, which has room for them. */
const writeFloat32List = (out: Uint8Array, p: number, data: Float32Array, start: number, end: number): number => {
  for (let i = start; i < end; i++) {
    if (i > start) out[p++] = 44
    const value = data[i]!
    if (value - value !== 0) p = writeNonFinite(out, p, value)
    else if (value === 0) p = 1 / value < 0 ? writeConstant(out, p, MINUS_ZERO) : writeConstant(out, p, ZERO_TEXT)
    else p = writeFloat32(out, p, value)
  }
  return p
}

const writeNumberList = (out: Uint8Array, p: number, data: Float64Array, start: number, end: number): number => {
  for (let i = start; i < end; i++) {
    if (i > start) out[p++] = 44
    p = writeJsonNumber(out, p, data[i]!)
  }
  return p
}

const writeIntegerList = (
  out: Uint8Array,
  p: number,
  data: Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array,
  start: number,
  end: number
): number => {
  for (let i = start; i < end; i++) {
    if (i > start) out[p++] = 44
    p = writeInteger(out, p, data[i]!)
  }
  return p
}

const decoder = new TextDecoder()
const single = new JsonLineWriter()

/** One record's JSON line as a string, without the newline. */
export const recordJson = (record: DmapRecord): string => {
  single.add(record)
  const bytes = single.take()
  return decoder.decode(bytes.subarray(0, bytes.length - 1))
}
