/**
 * One DMAP record as one line of JSON, the `dmap dump` format: keys are the
 * field names in file order (scalars, then arrays); arrays are nested in the
 * user-facing shape (stored dims reversed); NaN and the infinities are the
 * strings "NaN", "Infinity", "-Infinity"; 64-bit integers are written with all
 * their digits (JSON numbers have no size limit; readers that parse them as
 * doubles are the reader's choice, not a loss in the file).
 *
 * Numbers are written by JSON.stringify, which prints each one straight
 * into its output. String(number) and TypedArray#join would give the same
 * digits, but V8 puts every string they make into its number-string cache,
 * allocated in the old generation: dumping a file left its millions of
 * numbers there as garbage until the next full collection, and the process
 * grew with the file. JSON.stringify cannot write bigint, NaN or the
 * infinities, so those (and -0, which it writes as 0) take a slower path.
 */
import type { DmapArray, DmapNumericArrayData, DmapRecord, DmapScalarValue } from "./types.js"

const quotedKeys = new Map<string, string>()

/** Field names repeat in every record; their JSON key (`"name":`) is computed once. */
const quoteKey = (name: string): string => {
  let quoted = quotedKeys.get(name)
  if (quoted === undefined) {
    quoted = `${JSON.stringify(name)}:`
    // Bounded: a corrupt file could otherwise fill it with unique names.
    if (quotedKeys.size < 4096) quotedKeys.set(name, quoted)
  }
  return quoted
}

export const numberJson = (value: number): string => {
  if (value !== value) return "\"NaN\""
  if (value === Infinity) return "\"Infinity\""
  if (value === -Infinity) return "\"-Infinity\""
  if (value === 0 && 1 / value < 0) return "-0"
  return JSON.stringify(value)
}

const scalarJson = (value: DmapScalarValue): string =>
  typeof value === "number" ? numberJson(value) : typeof value === "bigint" ? value.toString() : JSON.stringify(value)

/** Whether JSON.stringify writes every element exactly (no NaN, infinities or -0). */
const joinsAsJson = (data: DmapNumericArrayData): boolean => {
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return true
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!
    if (value - value !== 0 || (value === 0 && 1 / value < 0)) return false
  }
  return true
}

/**
 * One list of numbers is copied into this array, which JSON.stringify then
 * prints. It is reused for every list (it holds unboxed doubles once any
 * float went in), so printing allocates nothing per element.
 */
const scratch: Array<number> = []

/** Elements [start, end) of a flat array as a JSON list. */
const listJson = (data: DmapArray["data"], start: number, end: number, plainJoin: boolean): string => {
  if (Array.isArray(data)) {
    let text = "["
    for (let i = start; i < end; i++) text += i === start ? JSON.stringify(data[i]) : `,${JSON.stringify(data[i])}`
    return `${text}]`
  }
  const numeric = data as DmapNumericArrayData
  if (numeric instanceof BigInt64Array || numeric instanceof BigUint64Array) {
    return `[${(start === 0 && end === numeric.length ? numeric : numeric.subarray(start, end)).join(",")}]`
  }
  if (plainJoin) {
    const count = end - start
    scratch.length = count
    for (let i = 0; i < count; i++) scratch[i] = numeric[start + i] as number
    return JSON.stringify(scratch)
  }
  let text = "["
  for (let i = start; i < end; i++) {
    const item = numberJson(numeric[i] as number)
    text += i === start ? item : `,${item}`
  }
  return `${text}]`
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
  let text = "["
  for (let i = 0; i < outer; i++) {
    const part = nestedJson(data, dims, level - 1, start + i * inner, plainJoin)
    text += i === 0 ? part : `,${part}`
  }
  return `${text}]`
}

export const arrayJson = (array: DmapArray): string => {
  const data = array.data
  const plainJoin = !Array.isArray(data) && joinsAsJson(data as DmapNumericArrayData)
  return nestedJson(data, array.dims, array.dims.length - 1, 0, plainJoin)
}

export const recordJson = (record: DmapRecord): string => {
  let text = "{"
  let first = true
  for (const scalar of record.scalars) {
    text += `${first ? "" : ","}${quoteKey(scalar.name)}${scalarJson(scalar.value)}`
    first = false
  }
  for (const array of record.arrays) {
    text += `${first ? "" : ","}${quoteKey(array.name)}${arrayJson(array)}`
    first = false
  }
  return `${text}}`
}

/**
 * JSON lines gathered into texts of about `flushChars` characters, so a
 * writer hands the output on in pieces of bounded size whatever the input:
 * memory stays flat for a file of any size. The pieces are kept well under
 * V8's large-object size (128 KiB): a larger string would be allocated in
 * the old generation and stay there, garbage, until the next full collection.
 */
export class JsonLines {
  #text = ""
  #ready: Array<string> = []

  constructor(readonly flushChars: number = 32 * 1024) {}

  add(record: DmapRecord): void {
    this.#text += `${recordJson(record)}\n`
    if (this.#text.length >= this.flushChars) {
      this.#ready.push(this.#text)
      this.#text = ""
    }
  }

  /** The texts that reached `flushChars`, which the buffer forgets. */
  takeFull(): ReadonlyArray<string> {
    const ready = this.#ready
    if (ready.length > 0) this.#ready = []
    return ready
  }

  /** Everything still waiting, full texts and the partial one, which the buffer forgets. */
  takeAll(): ReadonlyArray<string> {
    const all = this.takeFull()
    if (this.#text === "") return all
    const rest = this.#text
    this.#text = ""
    return [...all, rest]
  }
}
