/**
 * The JSON form of a fitacf record that older Borealis versions published:
 * one object, field name to value, scalars as numbers or strings and arrays
 * as flat lists. Converted to a DmapRecord so it goes through the same
 * fitacf view as every other record.
 */
import * as Either from "effect/Either"
import { type DmapArray, type DmapRecord, type DmapScalar, DmapType } from "../../dmap/types.js"

const isIntegerIn32 = (n: number) => Number.isInteger(n) && n >= -2147483648 && n <= 2147483647

/**
 * Reads the object. Integers become DMAP int, other numbers double, text
 * string; nested lists and nulls are left out (no fitacf field has them).
 */
export const recordFromJson = (json: unknown): Either.Either<DmapRecord, string> => {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return Either.left("the JSON message is not an object of fields")
  }
  const scalars: Array<DmapScalar> = []
  const arrays: Array<DmapArray> = []
  for (const [name, value] of Object.entries(json)) {
    if (typeof value === "number") {
      if (!Number.isFinite(value) && !Number.isNaN(value)) return Either.left(`field "${name}" is not finite`)
      scalars.push({ name, type: isIntegerIn32(value) ? DmapType.int : DmapType.double, value })
    } else if (typeof value === "string") {
      scalars.push({ name, type: DmapType.string, value })
    } else if (Array.isArray(value)) {
      if (value.every((item): item is number => typeof item === "number")) {
        const integers = value.every(isIntegerIn32)
        arrays.push({
          name,
          type: integers ? DmapType.int : DmapType.double,
          dims: [value.length],
          data: integers ? Int32Array.from(value) : Float64Array.from(value)
        })
      } else if (value.every((item): item is string => typeof item === "string")) {
        arrays.push({ name, type: DmapType.string, dims: [value.length], data: value })
      }
    }
  }
  return Either.right({ scalars, arrays })
}

/** The record as such an object; 64-bit integers become plain numbers. */
export const recordToJson = (record: DmapRecord): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const scalar of record.scalars) {
    out[scalar.name] = typeof scalar.value === "bigint"
      ? Number(scalar.value)
      : scalar.value
  }
  for (const array of record.arrays) {
    out[array.name] = Array.from(
      array.data as ArrayLike<number | bigint | string>,
      (item) => typeof item === "bigint" ? Number(item) : item
    )
  }
  return out
}
