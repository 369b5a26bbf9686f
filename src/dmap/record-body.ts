/**
 * Decoding of one DMAP record whose bytes are known to be present. Shared by
 * the whole-buffer decoder and the incremental decoder, which differ only in
 * how they gather the bytes.
 *
 * Every read is bounds-checked against the record end before it happens, and
 * every allocation is sized only after its size was checked against the bytes
 * actually left in the record, so a forged count cannot make us allocate more
 * than the record holds.
 */
import { DmapDecodeError, type DmapErrorReason } from "./errors.js"
import { internName, latin1Decode, NAME_HASH_SEED, nameHashStep } from "./latin1.js"
import type { DmapArray, DmapNumericArrayData, DmapRecord, DmapScalar, DmapScalarValue, DmapTypeCode } from "./types.js"
import {
  ELEMENT_BYTES,
  HEADER_BYTES,
  HOST_IS_LITTLE_ENDIAN,
  MAX_DIMENSIONS,
  NESTED_RECORD_TYPE,
  RECORD_CODE
} from "./wire.js"

const STRING_TYPE = 9
/** Smallest possible entries: name NUL + type + 1 value byte; name NUL + type + ndims + 1 dim. */
const MIN_SCALAR_BYTES = 3
const MIN_ARRAY_BYTES = 10

/** Below this many bytes a plain loop copies faster than creating a subarray for `set`. */
const SMALL_COPY_BYTES = 48

/**
 * Most arrays are 1-D with a handful of distinct lengths (nrang, the echo
 * count), so their dims lists are shared, frozen, instead of allocated per
 * array: one object less per array for the garbage collector.
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
 * Slabs are carved out of a shared pool buffer, as Node carves small Buffers:
 * several records share one ArrayBuffer. An array kept alone keeps at most
 * one pool (or its own record's slab, for records larger than a pool) alive.
 */
const POOL_BYTES = 64 * 1024
let pool = new ArrayBuffer(POOL_BYTES)
let poolUsed = 0

/** A writable region of at least `bytes`, starting 8-byte aligned. */
const reserveSlab = (bytes: number): Uint8Array => {
  if (pool.byteLength - poolUsed < bytes) {
    pool = new ArrayBuffer(Math.max(POOL_BYTES, bytes))
    poolUsed = 0
  }
  return new Uint8Array(pool, poolUsed, bytes)
}

/** Marks the first `bytes` of the last reserved slab as used by a decoded record. */
const commitSlab = (bytes: number): void => {
  poolUsed = (poolUsed + bytes + 7) & ~7
}

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

/** Reads one numeric scalar; `p` has been checked to leave room for the value. */
const readScalar = (view: DataView, p: number, type: number): number | bigint => {
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
 * A numeric array as decoded: its elements sit in the record's slab (host
 * byte order, 8-byte aligned) and the typed array over them is created on
 * the first read of `data`, then kept. A record that is only counted,
 * filtered or passed on never pays for its ~80 typed arrays; a kept record
 * holds one small object per array instead of two.
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

/**
 * Decodes the record occupying `bytes[start, start + size)`, whose header was
 * already accepted by `checkRecordHeader`. `base` is the absolute offset of
 * `bytes[0]` in the input, so errors point into the file or stream.
 */
export const decodeRecordBody = (
  bytes: Uint8Array,
  view: DataView,
  start: number,
  size: number,
  base: number
): DmapRecord | DmapDecodeError => {
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

  const scalars = new Array<DmapScalar>(scalarCount)
  let p = start + HEADER_BYTES
  for (let i = 0; i < scalarCount; i++) {
    const entry = p
    let hash = NAME_HASH_SEED
    let q = p
    while (q < end && bytes[q] !== 0) {
      hash = nameHashStep(hash, bytes[q]!)
      q++
    }
    if (q >= end) return fail(base + entry, "UnterminatedString", `scalar ${i}: name runs past the end of the record`)
    const name = internName(bytes, p, q, hash)
    p = q + 1
    if (p >= end) return fail(base + p, "DataPastRecord", `scalar "${name}": type byte lies past the end of the record`)
    const type = bytes[p]!
    p++
    let value: DmapScalarValue
    if (type === STRING_TYPE) {
      q = p
      while (q < end && bytes[q] !== 0) q++
      if (q >= end) {
        return fail(base + p, "UnterminatedString", `scalar "${name}": string runs past the end of the record`)
      }
      value = latin1Decode(bytes, p, q)
      p = q + 1
    } else {
      const width = ELEMENT_BYTES[type]!
      if (width === 0) return unknownType(base + p - 1, type, `scalar "${name}"`)
      if (p + width > end) {
        return fail(base + p, "DataPastRecord", `scalar "${name}": value runs past the end of the record`)
      }
      value = readScalar(view, p, type)
      p += width
    }
    scalars[i] = { name, type: type as DmapTypeCode, value }
  }

  // The elements of all numeric arrays are copied into one slab at 8-byte
  // aligned offsets: allocating an ArrayBuffer per array is what made
  // decoding slow (the garbage collector tracks each one).
  let slab: Uint8Array | undefined
  let slabView: DataView | undefined
  let slabUsed = 0
  const arrays = new Array<DmapArray>(arrayCount)
  for (let i = 0; i < arrayCount; i++) {
    const entry = p
    let hash = NAME_HASH_SEED
    let q = p
    while (q < end && bytes[q] !== 0) {
      hash = nameHashStep(hash, bytes[q]!)
      q++
    }
    if (q >= end) return fail(base + entry, "UnterminatedString", `array ${i}: name runs past the end of the record`)
    const name = internName(bytes, p, q, hash)
    p = q + 1
    if (p >= end) return fail(base + p, "DataPastRecord", `array "${name}": type byte lies past the end of the record`)
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
    const dims = dimensionCount === 1 ? oneDimension(view.getInt32(p, true)) : new Array<number>(dimensionCount)
    // A product of up to 16 int32 stays far below Number.MAX_VALUE, so the
    // comparison with the bytes left is exact enough to refuse any forgery.
    let count = 1
    for (let d = 0; d < dimensionCount; d++) {
      const dim = view.getInt32(p, true)
      if (dim < 0) return fail(base + p, "NegativeDimension", `array "${name}": dimension ${d} is ${dim}`)
      if (dimensionCount > 1) (dims as Array<number>)[d] = dim
      count *= dim
      p += 4
    }

    if (type === STRING_TYPE) {
      // Each string takes at least its NUL, so this bounds the allocation.
      if (count > end - p) {
        return fail(
          base + p,
          "DataPastRecord",
          `array "${name}": ${count} strings cannot fit in the ${end - p} bytes left`
        )
      }
      const strings = new Array<string>(count)
      for (let s = 0; s < count; s++) {
        q = p
        while (q < end && bytes[q] !== 0) q++
        if (q >= end) {
          return fail(base + p, "UnterminatedString", `array "${name}": string ${s} runs past the end of the record`)
        }
        strings[s] = latin1Decode(bytes, p, q)
        p = q + 1
      }
      // String arrays are rare (none in fitacf or rawacf) and decoded as they are read.
      arrays[i] = { name, type: type as DmapTypeCode, dims, data: strings }
    } else {
      const byteLength = count * width
      if (byteLength > end - p) {
        return fail(
          base + p,
          "DataPastRecord",
          `array "${name}": ${count} elements of ${width} bytes run past the end of the record (${end - p} bytes left)`
        )
      }
      // The bytes left bound every remaining array's data, and alignment
      // adds at most 7 bytes per remaining array: sized by checked fields only.
      slab ??= reserveSlab(end - p + 8 * (arrayCount - i))
      slabUsed = (slabUsed + 7) & ~7
      if (!HOST_IS_LITTLE_ENDIAN) {
        slabView ??= new DataView(slab.buffer, slab.byteOffset, slab.byteLength)
        copyElementsPortably(view, p, type, count, slabView, slabUsed)
      } else if (byteLength <= SMALL_COPY_BYTES) {
        for (let k = 0; k < byteLength; k++) slab[slabUsed + k] = bytes[p + k]!
      } else {
        slab.set(bytes.subarray(p, p + byteLength), slabUsed)
      }
      arrays[i] = new SlabArray(
        name,
        type as DmapTypeCode,
        dims,
        slab.buffer as ArrayBuffer,
        slab.byteOffset + slabUsed,
        count
      )
      slabUsed += byteLength
      p += byteLength
    }
  }

  if (p !== end) {
    return fail(
      base + start + 4,
      "SizeMismatch",
      `the size field says ${size} bytes but the entries use ${p - start}`
    )
  }
  if (slab !== undefined) commitSlab(slabUsed)
  return { scalars, arrays }
}
