/**
 * Reading fields of a decoded record, and deriving a record with some scalar
 * values replaced.
 */
import type { DmapArray, DmapRecord, DmapScalar, DmapScalarValue, DmapTypeCode } from "./types.js"
import { DmapType } from "./types.js"

export const getScalar = (record: DmapRecord, name: string): DmapScalar | undefined => {
  const scalars = record.scalars
  for (let i = 0; i < scalars.length; i++) {
    const scalar = scalars[i]!
    if (scalar.name === name) return scalar
  }
  return undefined
}

export const getArray = (record: DmapRecord, name: string): DmapArray | undefined => {
  const arrays = record.arrays
  for (let i = 0; i < arrays.length; i++) {
    const array = arrays[i]!
    if (array.name === name) return array
  }
  return undefined
}

/** The shape as numpy and darn-dmap give it: the stored dimensions reversed (slowest first). */
export const shapeOf = (array: DmapArray): ReadonlyArray<number> => array.dims.slice().reverse()

/** Converts a value to the representation the decoder gives for `type`, so encoding writes that type. */
const coerceTo = (type: DmapTypeCode, value: DmapScalarValue): DmapScalarValue => {
  switch (type) {
    case DmapType.string:
      return String(value)
    case DmapType.long:
    case DmapType.ulong:
      return typeof value === "bigint" ? value : BigInt(Math.trunc(Number(value)))
    default:
      return Number(value)
  }
}

/**
 * A copy of `record` with the named scalars given new values, each keeping its
 * DMAP type and position so the encoded record has the same layout. Names the
 * record lacks are left out: a record never gains fields it did not carry.
 */
export const withScalars = (
  record: DmapRecord,
  values: Readonly<Record<string, DmapScalarValue>>
): DmapRecord => ({
  scalars: record.scalars.map((scalar) =>
    Object.hasOwn(values, scalar.name)
      ? { name: scalar.name, type: scalar.type, value: coerceTo(scalar.type, values[scalar.name]!) }
      : scalar
  ),
  arrays: record.arrays
})
