/**
 * A decoded record as the decoder leaves it: the record's bytes copied once
 * into a shared slab, beside a table of where each field lies. Nothing else
 * is made until it is read: `scalars` and `arrays` build the usual objects
 * on first access (and keep them), while the codec's own writers (encoding,
 * JSON lines) read the slab directly. A record that is kept, counted or
 * dumped costs one object instead of about 85, which is what the garbage
 * collector spent most of its time on.
 */
import { latin1Decode, nameOf } from "./latin1.js"
import type { DmapArray, DmapNumericArrayData, DmapRecord, DmapScalar, DmapScalarValue, DmapTypeCode } from "./types.js"
import { ELEMENT_BYTES, HOST_IS_LITTLE_ENDIAN } from "./wire.js"

export const STRING_TYPE = 9

/** Bytes that hold records, with a DataView of the same bytes. */
export interface RecordBytes {
  readonly bytes: Uint8Array
  readonly view: DataView
}

/**
 * Memory that records are carved out of, as Node carves small Buffers: one
 * ArrayBuffer for several records, with one view of each kind for all of
 * them. A record kept alone keeps at most its pool alive.
 */
export class SlabPool implements RecordBytes {
  readonly bytes: Uint8Array
  readonly view: DataView
  readonly words: Int32Array
  used = 0
  constructor(readonly buffer: ArrayBuffer) {
    this.bytes = new Uint8Array(buffer)
    this.view = new DataView(buffer)
    this.words = new Int32Array(buffer, 0, buffer.byteLength >>> 2)
  }
}

const POOL_BYTES = 64 * 1024

/**
 * Where records' slabs are carved from. The shared arena only ever moves on:
 * its records live as long as anyone holds them. A rewound arena (see
 * `rewind`) serves records that live only until the next rewind, so a
 * decoder that drops every record reuses the same memory throughout.
 */
export class SlabArena {
  #pool = new SlabPool(new ArrayBuffer(POOL_BYTES))
  /** Bytes taken since the last rewind, over every pool. */
  #cycleBytes = 0

  /** A pool with at least `bytes` free from its `used`, which is 8-byte aligned. Nothing is taken until `commit`. */
  reserve(bytes: number): SlabPool {
    if (this.#pool.buffer.byteLength - this.#pool.used < bytes) {
      this.#pool = new SlabPool(new ArrayBuffer(Math.max(POOL_BYTES, bytes)))
    }
    return this.#pool
  }

  /** Takes `bytes` of the reserved pool, rounded up to keep the next start aligned. */
  commit(reserved: SlabPool, bytes: number): void {
    const taken = (bytes + 7) & ~7
    reserved.used += taken
    this.#cycleBytes += taken
  }

  /**
   * Starts over at the beginning of the current pool, which every record
   * carved from this arena so far shared: they must all be gone. A cycle
   * that needed several pools leaves one pool large enough for all of it.
   */
  rewind(): void {
    if (this.#cycleBytes > this.#pool.buffer.byteLength) this.#pool = new SlabPool(new ArrayBuffer(this.#cycleBytes))
    this.#pool.used = 0
    this.#cycleBytes = 0
  }
}

/** The arena of records that are kept. */
export const sharedArena = new SlabArena()

/**
 * The field table: FIELD_WORDS int32 per field, scalars first, offsets
 * relative to the record's first byte.
 * - scalar: name id (-1: not interned), name start, name end (its NUL; the
 *   type byte follows), value start, value end.
 * - array: name id, name start, name end (type byte, dimension count and
 *   dimensions follow), data start, element count.
 */
export const FIELD_WORDS = 5
export const FIELD_NAME_ID = 0
export const FIELD_NAME_START = 1
export const FIELD_NAME_END = 2
export const FIELD_DATA_START = 3
export const FIELD_DATA_END_OR_COUNT = 4

/** Reads one numeric value of `type` at `p` (little-endian). */
export const readScalar = (view: DataView, p: number, type: number): number | bigint => {
  switch (type) {
    case 1:
      return view.getInt8(p)
    case 2:
      return view.getInt16(p, true)
    case 3:
      return view.getInt32(p, true)
    case 4:
      return view.getFloat32(p, true)
    case 8:
      return view.getFloat64(p, true)
    case 10:
      return view.getBigInt64(p, true)
    case 16:
      return view.getUint8(p)
    case 17:
      return view.getUint16(p, true)
    case 18:
      return view.getUint32(p, true)
    default:
      return view.getBigUint64(p, true)
  }
}

/** Views `count` elements of `type` at an aligned `offset` of `buffer`. */
const viewElements = (buffer: ArrayBuffer, offset: number, type: number, count: number): DmapNumericArrayData => {
  switch (type) {
    case 1:
      return new Int8Array(buffer, offset, count)
    case 2:
      return new Int16Array(buffer, offset, count)
    case 3:
      return new Int32Array(buffer, offset, count)
    case 4:
      return new Float32Array(buffer, offset, count)
    case 8:
      return new Float64Array(buffer, offset, count)
    case 10:
      return new BigInt64Array(buffer, offset, count)
    case 16:
      return new Uint8Array(buffer, offset, count)
    case 17:
      return new Uint16Array(buffer, offset, count)
    case 18:
      return new Uint32Array(buffer, offset, count)
    default:
      return new BigUint64Array(buffer, offset, count)
  }
}

/**
 * Most arrays are 1-D with a handful of distinct lengths (nrang, the echo
 * count), so their dims lists are shared, frozen, instead of allocated per
 * array.
 */
const SHARED_DIMS_LIMIT = 4096
const sharedDims: Array<ReadonlyArray<number> | undefined> = []
const oneDimension = (dim: number): ReadonlyArray<number> => {
  if (dim < 0 || dim >= SHARED_DIMS_LIMIT) return [dim]
  let dims = sharedDims[dim]
  if (dims === undefined) {
    dims = Object.freeze([dim])
    sharedDims[dim] = dims
  }
  return dims
}

/**
 * A numeric array of a decoded record: its elements sit in host byte order
 * at an 8-byte aligned offset, and the typed array over them is created on
 * the first read of `data`, then kept.
 *
 * `data` is a getter, so a spread (`{ ...array }`) does not copy it: say
 * `{ ...array, data: array.data }` when deriving a plain array.
 */
export class SlabArray implements DmapArray {
  readonly #buffer: ArrayBuffer
  readonly #byteOffset: number
  readonly #length: number
  #view: DmapNumericArrayData | undefined = undefined

  constructor(
    readonly name: string,
    readonly type: DmapTypeCode,
    readonly dims: ReadonlyArray<number>,
    buffer: ArrayBuffer,
    byteOffset: number,
    length: number
  ) {
    this.#buffer = buffer
    this.#byteOffset = byteOffset
    this.#length = length
  }

  get data(): DmapNumericArrayData {
    return (this.#view ??= viewElements(this.#buffer, this.#byteOffset, this.type, this.#length))
  }

  /** Element count, without creating the view. */
  get length(): number {
    return this.#length
  }

  /**
   * The elements, as the typed array gives them: `for (const value of array)`
   * works, and structural comparisons that walk iterables (vitest's toEqual)
   * compare the data, which a getter alone would hide from them.
   */
  [Symbol.iterator](): Iterator<number | bigint> {
    return (this.data as Iterable<number | bigint>)[Symbol.iterator]()
  }

  /** The elements' bytes in host order (little-endian ones are the wire bytes), without creating the view. */
  bytes(): Uint8Array {
    return new Uint8Array(this.#buffer, this.#byteOffset, this.#length * ELEMENT_BYTES[this.type]!)
  }
}

/** Big-endian hosts only: typed arrays would read the little-endian bytes backwards. */
const copyElementsPortably = (
  view: DataView,
  p: number,
  type: number,
  count: number,
  target: DataView,
  offset: number
): void => {
  const width = ELEMENT_BYTES[type]!
  for (let i = 0; i < count; i++) {
    const value = readScalar(view, p + i * width, type)
    const at = offset + i * width
    switch (type) {
      case 1:
        target.setInt8(at, value as number)
        break
      case 16:
        target.setUint8(at, value as number)
        break
      case 2:
        target.setInt16(at, value as number)
        break
      case 17:
        target.setUint16(at, value as number)
        break
      case 3:
        target.setInt32(at, value as number)
        break
      case 18:
        target.setUint32(at, value as number)
        break
      case 4:
        target.setFloat32(at, value as number)
        break
      case 8:
        target.setFloat64(at, value as number)
        break
      case 10:
        target.setBigInt64(at, value as bigint)
        break
      default:
        target.setBigUint64(at, value as bigint)
    }
  }
}

/** Below this many bytes a plain loop copies faster than creating a subarray for `set`. */
const SMALL_COPY_BYTES = 48

/**
 * One record decoded by `decodeRecordBody`: its wire bytes at `start` of
 * `source` (a slab, or the caller's buffer for `decodeRecords`), its field
 * table at int32 index `table` of `tables`. Read it as any
 * DmapRecord; `scalars` and `arrays` are built on first access.
 *
 * Its state is private, so a structural comparison (vitest's toEqual) goes
 * through the iterator, which yields every field.
 */
export class DecodedRecord implements DmapRecord {
  readonly #source: RecordBytes
  readonly #tables: Int32Array
  readonly #start: number
  readonly #size: number
  readonly #table: number
  readonly #scalarCount: number
  readonly #arrayCount: number
  #scalars: ReadonlyArray<DmapScalar> | undefined = undefined
  #arrays: ReadonlyArray<DmapArray> | undefined = undefined

  constructor(
    source: RecordBytes,
    start: number,
    size: number,
    tables: Int32Array,
    table: number,
    scalarCount: number,
    arrayCount: number
  ) {
    this.#source = source
    this.#tables = tables
    this.#start = start
    this.#size = size
    this.#table = table
    this.#scalarCount = scalarCount
    this.#arrayCount = arrayCount
  }

  /** The bytes holding the record. */
  get source(): RecordBytes {
    return this.#source
  }

  /** The words holding the record's field table. */
  get tables(): Int32Array {
    return this.#tables
  }

  /** Byte offset of the record's first byte (its header) in the source. */
  get start(): number {
    return this.#start
  }

  /** Int32 index of the field table in `tables`. */
  get table(): number {
    return this.#table
  }

  get scalarCount(): number {
    return this.#scalarCount
  }

  get arrayCount(): number {
    return this.#arrayCount
  }

  /** The record exactly as it was read, header included: a view of the slab. */
  wireBytes(): Uint8Array {
    return this.#source.bytes.subarray(this.#start, this.#start + this.#size)
  }

  /**
   * Whether `arrays` was read. From then on the arrays' typed views may have
   * been written to, and an encoder must encode them, not the wire bytes.
   */
  get arraysRead(): boolean {
    return this.#arrays !== undefined
  }

  /** The name of field `field` (scalars first, then arrays). */
  fieldName(field: number): string {
    const words = this.#tables
    const entry = this.#table + field * FIELD_WORDS
    const id = words[entry + FIELD_NAME_ID]!
    if (id >= 0) return nameOf(id)
    const start = this.#start
    return latin1Decode(
      this.#source.bytes,
      start + words[entry + FIELD_NAME_START]!,
      start + words[entry + FIELD_NAME_END]!
    )
  }

  get scalars(): ReadonlyArray<DmapScalar> {
    return (this.#scalars ??= this.#buildScalars())
  }

  get arrays(): ReadonlyArray<DmapArray> {
    return (this.#arrays ??= this.#buildArrays())
  }

  *[Symbol.iterator](): Iterator<DmapScalar | DmapArray> {
    yield* this.scalars
    yield* this.arrays
  }

  #buildScalars(): ReadonlyArray<DmapScalar> {
    const { bytes, view } = this.#source
    const words = this.#tables
    const start = this.#start
    const scalars = new Array<DmapScalar>(this.#scalarCount)
    for (let i = 0; i < this.#scalarCount; i++) {
      const entry = this.#table + i * FIELD_WORDS
      const type = bytes[start + words[entry + FIELD_NAME_END]! + 1]!
      const valueStart = start + words[entry + FIELD_DATA_START]!
      const value: DmapScalarValue = type === STRING_TYPE
        ? latin1Decode(bytes, valueStart, start + words[entry + FIELD_DATA_END_OR_COUNT]!)
        : readScalar(view, valueStart, type)
      scalars[i] = { name: this.fieldName(i), type: type as DmapTypeCode, value }
    }
    return scalars
  }

  /** Numeric arrays get one aligned copy of their elements, in one slab for the record. */
  #buildArrays(): ReadonlyArray<DmapArray> {
    const { bytes, view } = this.#source
    const words = this.#tables
    const start = this.#start
    const arrays = new Array<DmapArray>(this.#arrayCount)
    let room = 0
    for (let i = 0; i < this.#arrayCount; i++) {
      const entry = this.#table + (this.#scalarCount + i) * FIELD_WORDS
      const width = ELEMENT_BYTES[bytes[start + words[entry + FIELD_NAME_END]! + 1]!]!
      room += 8 + width * words[entry + FIELD_DATA_END_OR_COUNT]!
    }
    const slab = sharedArena.reserve(room)
    const slabView = HOST_IS_LITTLE_ENDIAN ? undefined : slab.view
    let used = slab.used
    for (let i = 0; i < this.#arrayCount; i++) {
      const field = this.#scalarCount + i
      const entry = this.#table + field * FIELD_WORDS
      const nameEnd = start + words[entry + FIELD_NAME_END]!
      const type = bytes[nameEnd + 1]! as DmapTypeCode
      const dimensionCount = view.getInt32(nameEnd + 2, true)
      let dims: ReadonlyArray<number>
      if (dimensionCount === 1) {
        dims = oneDimension(view.getInt32(nameEnd + 6, true))
      } else {
        const list = new Array<number>(dimensionCount)
        for (let d = 0; d < dimensionCount; d++) list[d] = view.getInt32(nameEnd + 6 + 4 * d, true)
        dims = list
      }
      const dataStart = start + words[entry + FIELD_DATA_START]!
      const count = words[entry + FIELD_DATA_END_OR_COUNT]!
      const name = this.fieldName(field)
      if (type === STRING_TYPE) {
        // String arrays are rare (none in fitacf or rawacf).
        const strings = new Array<string>(count)
        let p = dataStart
        for (let s = 0; s < count; s++) {
          let q = p
          while (bytes[q] !== 0) q++
          strings[s] = latin1Decode(bytes, p, q)
          p = q + 1
        }
        arrays[i] = { name, type, dims, data: strings }
        continue
      }
      const byteLength = count * ELEMENT_BYTES[type]!
      used = (used + 7) & ~7
      if (slabView !== undefined) {
        copyElementsPortably(view, dataStart, type, count, slabView, used)
      } else if (byteLength <= SMALL_COPY_BYTES) {
        for (let k = 0; k < byteLength; k++) slab.bytes[used + k] = bytes[dataStart + k]!
      } else {
        slab.bytes.set(bytes.subarray(dataStart, dataStart + byteLength), used)
      }
      arrays[i] = new SlabArray(name, type, dims, slab.buffer, used, count)
      used += byteLength
    }
    sharedArena.commit(slab, used - slab.used)
    return arrays
  }
}
