/**
 * One DMAP record as one line of JSON, the `dmap dump` format: keys are the
 * field names in file order (scalars, then arrays); arrays are nested in the
 * user-facing shape (stored dims reversed); NaN and the infinities are the
 * strings "NaN", "Infinity", "-Infinity"; 64-bit integers are written with all
 * their digits (JSON numbers have no size limit; readers that parse them as
 * doubles are the reader's choice, not a loss in the file).
 *
 * JSON.stringify is not used on values: it cannot write bigint, turns NaN
 * into null, and is slow on typed arrays. Typed arrays are written with the
 * native TypedArray#join where that gives valid JSON.
 */
import type { DmapArray, DmapNumericArrayData, DmapRecord, DmapScalarValue } from "./types.js"

const quotedNames = new Map<string, string>()

/** Field names repeat in every record; their JSON form is computed once. */
const quoteName = (name: string): string => {
  let quoted = quotedNames.get(name)
  if (quoted === undefined) {
    quoted = JSON.stringify(name)
    // Bounded: a corrupt file could otherwise fill it with unique names.
    if (quotedNames.size < 4096) quotedNames.set(name, quoted)
  }
  return quoted
}

export const numberJson = (value: number): string => {
  if (value !== value) return "\"NaN\""
  if (value === Infinity) return "\"Infinity\""
  if (value === -Infinity) return "\"-Infinity\""
  if (value === 0 && 1 / value < 0) return "-0"
  return String(value)
}

const scalarJson = (value: DmapScalarValue): string =>
  typeof value === "number" ? numberJson(value) : typeof value === "bigint" ? value.toString() : JSON.stringify(value)

/** Whether TypedArray#join writes every element as valid, exact JSON (no NaN, infinities or -0). */
const joinsAsJson = (data: DmapNumericArrayData): boolean => {
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return true
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!
    if (value - value !== 0 || (value === 0 && 1 / value < 0)) return false
  }
  return true
}

/** Elements [start, end) of a flat array as a JSON list. */
const listJson = (data: DmapArray["data"], start: number, end: number, plainJoin: boolean): string => {
  if (Array.isArray(data)) {
    const items = new Array<string>(end - start)
    for (let i = start; i < end; i++) items[i - start] = JSON.stringify(data[i])
    return `[${items.join(",")}]`
  }
  const numeric = data as DmapNumericArrayData
  if (plainJoin) return `[${numeric.subarray(start, end).join(",")}]`
  const items = new Array<string>(end - start)
  for (let i = start; i < end; i++) items[i - start] = numberJson(numeric[i] as number)
  return `[${items.join(",")}]`
}

/**
 * The elements from `start` nested by `dims` (stored order, first fastest):
 * the last stored dimension is the outermost JSON list.
 */
const nestedJson = (
  data: DmapArray["data"],
  dims: ReadonlyArray<number>,
  level: number,
  start: number,
  plainJoin: boolean
): string => {
  if (level === 0) return listJson(data, start, start + dims[0]!, plainJoin)
  let inner = 1
  for (let d = 0; d < level; d++) inner *= dims[d]!
  const outer = dims[level]!
  const parts = new Array<string>(outer)
  for (let i = 0; i < outer; i++) parts[i] = nestedJson(data, dims, level - 1, start + i * inner, plainJoin)
  return `[${parts.join(",")}]`
}

export const arrayJson = (array: DmapArray): string => {
  const plainJoin = !Array.isArray(array.data) && joinsAsJson(array.data as DmapNumericArrayData)
  return nestedJson(array.data, array.dims, array.dims.length - 1, 0, plainJoin)
}

export const recordJson = (record: DmapRecord): string => {
  const parts = new Array<string>(record.scalars.length + record.arrays.length)
  let i = 0
  for (const scalar of record.scalars) parts[i++] = `${quoteName(scalar.name)}:${scalarJson(scalar.value)}`
  for (const array of record.arrays) parts[i++] = `${quoteName(array.name)}:${arrayJson(array)}`
  return `{${parts.join(",")}}`
}
