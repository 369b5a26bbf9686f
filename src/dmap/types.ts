/**
 * The DMAP data model. A record is a list of scalars followed by a list of
 * arrays, each kept in file order with its DMAP type so that encoding a decoded
 * record reproduces the original bytes exactly.
 */

/** DMAP type codes as written on the wire. */
export const DmapType = {
  char: 1,
  short: 2,
  int: 3,
  float: 4,
  double: 8,
  string: 9,
  long: 10,
  uchar: 16,
  ushort: 17,
  uint: 18,
  ulong: 19
} as const

export type DmapTypeName = keyof typeof DmapType
export type DmapTypeCode = (typeof DmapType)[DmapTypeName]

export type DmapNumericArrayData =
  | Int8Array
  | Int16Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array

/** Array payload: a typed array for numeric types, strings for type 9. */
export type DmapArrayData = DmapNumericArrayData | ReadonlyArray<string>

/** 64-bit integer types (long, ulong) decode to bigint so no value is ever rounded. */
export type DmapScalarValue = number | bigint | string

export interface DmapScalar {
  readonly name: string
  readonly type: DmapTypeCode
  readonly value: DmapScalarValue
}

/**
 * One array of a record. Decoded numeric arrays (`SlabArray`) keep their
 * elements in one aligned copy of the record's array bytes, made when the
 * record's `arrays` are first read, and create the typed array on the first
 * read of `data`; arrays built in code may be plain objects. Either way `data` is the typed array (or the strings) and
 * `dims`/`type` describe it.
 */
export interface DmapArray {
  readonly name: string
  readonly type: DmapTypeCode
  /**
   * Dimensions as stored: the first varies fastest. The user-facing shape
   * (numpy, darn-dmap) is this list reversed.
   */
  readonly dims: ReadonlyArray<number>
  readonly data: DmapArrayData
}

/**
 * A record: its scalars, then its arrays, in file order. Decoded records
 * (`DecodedRecord`) build both lists on first access from one copy of the
 * record's bytes; records built in code are plain objects.
 */
export interface DmapRecord {
  readonly scalars: ReadonlyArray<DmapScalar>
  readonly arrays: ReadonlyArray<DmapArray>
}
