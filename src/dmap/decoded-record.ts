/**
 * A decoded record as the decoder leaves it: the record's bytes (the caller's
 * buffer, or a copy in a shared slab) and its layout, the field names and
 * types it shares with the records like it (see RecordLayout). Nothing else
 * is made until it is read: `scalars` and `arrays` build the usual objects
 * on first access (and keep them), while the codec's own writers (encoding,
 * JSON lines) read the bytes directly. A record that is kept, counted or
 * dumped costs one object instead of about 85, which is what the garbage
 * collector spent most of its time on.
 */
import { latin1Decode } from "./latin1.js"
import type { RecordLayout } from "./record-layout.js"
import type { DmapArray, DmapNumericArrayData, DmapRecord, DmapScalar, DmapScalarValue, DmapTypeCode } from "./types.js"
import { ELEMENT_BYTES, HEADER_BYTES, HOST_IS_LITTLE_ENDIAN, STRING_TYPE } from "./wire.js"

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
  /**
   * Starts empty, so the first record already replaces the pool. Were the
   * first pool made here, V8 would treat this field as a constant until
   * that pool filled, and throw away the decoder's optimized code compiled
   * on that assumption in the meantime (`node --trace-opt` showed the
   * compile aborted for a dependency change, and a second one started).
   */
  #pool = new SlabPool(new ArrayBuffer(0))
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

/**
 * Writes one numeric value of `type` at `p`: a bigint for the 64-bit
 * integer types, a number for the others.
 */
export const writeScalar = (
  view: DataView,
  p: number,
  type: number,
  value: number | bigint,
  littleEndian: boolean
): void => {
  switch (type) {
    case 1:
      return view.setInt8(p, value as number)
    case 2:
      return view.setInt16(p, value as number, littleEndian)
    case 3:
      return view.setInt32(p, value as number, littleEndian)
    case 4:
      return view.setFloat32(p, value as number, littleEndian)
    case 8:
      return view.setFloat64(p, value as number, littleEndian)
    case 10:
      return view.setBigInt64(p, value as bigint, littleEndian)
    case 16:
      return view.setUint8(p, value as number)
    case 17:
      return view.setUint16(p, value as number, littleEndian)
    case 18:
      return view.setUint32(p, value as number, littleEndian)
    default:
      return view.setBigUint64(p, value as bigint, littleEndian)
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
    writeScalar(target, offset + i * width, type, readScalar(view, p + i * width, type), HOST_IS_LITTLE_ENDIAN)
  }
}

/** Below this many bytes a plain loop copies faster than creating a subarray for `set`. */
const SMALL_COPY_BYTES = 48

/** The offset just past `count` NUL-terminated strings starting at `p` of a record already checked whole. */
export const skipStrings = (bytes: Uint8Array, p: number, count: number): number => {
  for (let s = 0; s < count; s++) {
    while (bytes[p] !== 0) p++
    p++
  }
  return p
}

/**
 * One record decoded by `decodeRecordBody`: its wire bytes at `start` of
 * `source` (a slab, or the caller's buffer for `decodeRecords`) and its
 * layout, shared with the other records that have the same fields. Read it
 * as any DmapRecord; `scalars` and `arrays` are built on first access, by
 * walking the bytes, which the decoder checked whole.
 *
 * Its state is private, so a structural comparison (vitest's toEqual) goes
 * through the iterator, which yields every field.
 */
export class DecodedRecord implements DmapRecord {
  readonly #source: RecordBytes
  readonly #start: number
  readonly #size: number
  readonly #layout: RecordLayout
  #scalars: ReadonlyArray<DmapScalar> | undefined = undefined
  #arrays: ReadonlyArray<DmapArray> | undefined = undefined

  constructor(source: RecordBytes, start: number, size: number, layout: RecordLayout) {
    this.#source = source
    this.#start = start
    this.#size = size
    this.#layout = layout
  }

  /** The bytes holding the record. */
  get source(): RecordBytes {
    return this.#source
  }

  /** Byte offset of the record's first byte (its header) in the source. */
  get start(): number {
    return this.#start
  }

  /** The record's field names and types. */
  get layout(): RecordLayout {
    return this.#layout
  }

  get scalarCount(): number {
    return this.#layout.scalarCount
  }

  get arrayCount(): number {
    return this.#layout.arrayCount
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
    return this.#layout.names[field]!
  }

  /** Where the first array's entry starts in the source (past the scalars). */
  #firstArrayAt(): number {
    const bytes = this.#source.bytes
    const { names, scalarCount, types } = this.#layout
    let p = this.#start + HEADER_BYTES
    for (let field = 0; field < scalarCount; field++) {
      p += names[field]!.length + 2
      const type = types[field]!
      p = type === STRING_TYPE ? skipStrings(bytes, p, 1) : p + ELEMENT_BYTES[type]!
    }
    return p
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
    const { names, scalarCount, types } = this.#layout
    const scalars = new Array<DmapScalar>(scalarCount)
    let p = this.#start + HEADER_BYTES
    for (let field = 0; field < scalarCount; field++) {
      const name = names[field]!
      p += name.length + 2
      const type = types[field]! as DmapTypeCode
      let value: DmapScalarValue
      if (type === STRING_TYPE) {
        const end = skipStrings(bytes, p, 1)
        value = latin1Decode(bytes, p, end - 1)
        p = end
      } else {
        value = readScalar(view, p, type)
        p += ELEMENT_BYTES[type]!
      }
      scalars[field] = { name, type, value }
    }
    return scalars
  }

  /** Numeric arrays get one aligned copy of their elements, in one slab for the record. */
  #buildArrays(): ReadonlyArray<DmapArray> {
    const { bytes, view } = this.#source
    const { arrayCount, names, scalarCount, types } = this.#layout
    const first = this.#firstArrayAt()
    // Room first: one reservation for every numeric array of the record.
    let room = 0
    let p = first
    for (let i = 0; i < arrayCount; i++) {
      const field = scalarCount + i
      p += names[field]!.length + 2
      const dimensionCount = view.getInt32(p, true)
      let count = 1
      for (let d = 0; d < dimensionCount; d++) count *= view.getInt32(p + 4 + 4 * d, true)
      p += 4 + 4 * dimensionCount
      const type = types[field]!
      if (type === STRING_TYPE) {
        p = skipStrings(bytes, p, count)
      } else {
        room += 8 + ELEMENT_BYTES[type]! * count
        p += ELEMENT_BYTES[type]! * count
      }
    }
    const slab = sharedArena.reserve(room)
    const slabView = HOST_IS_LITTLE_ENDIAN ? undefined : slab.view
    const arrays = new Array<DmapArray>(arrayCount)
    let used = slab.used
    p = first
    for (let i = 0; i < arrayCount; i++) {
      const field = scalarCount + i
      const name = names[field]!
      p += name.length + 2
      const type = types[field]! as DmapTypeCode
      const dimensionCount = view.getInt32(p, true)
      let dims: ReadonlyArray<number>
      let count: number
      if (dimensionCount === 1) {
        count = view.getInt32(p + 4, true)
        dims = oneDimension(count)
      } else {
        const list = new Array<number>(dimensionCount)
        count = 1
        for (let d = 0; d < dimensionCount; d++) {
          list[d] = view.getInt32(p + 4 + 4 * d, true)
          count *= list[d]!
        }
        dims = list
      }
      const dataStart = p + 4 + 4 * dimensionCount
      if (type === STRING_TYPE) {
        // String arrays are rare (none in fitacf or rawacf).
        const strings = new Array<string>(count)
        p = dataStart
        for (let s = 0; s < count; s++) {
          const end = skipStrings(bytes, p, 1)
          strings[s] = latin1Decode(bytes, p, end - 1)
          p = end
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
      p = dataStart + byteLength
    }
    sharedArena.commit(slab, used - slab.used)
    return arrays
  }
}
