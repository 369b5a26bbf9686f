/**
 * DMAP names and strings are C byte strings. They decode as latin1 (one char
 * per byte, U+0000..U+00FF) because that mapping is lossless both ways, which
 * keeps decode-then-encode byte-identical whatever the bytes are.
 */
import { Buffer } from "node:buffer"

const SHORT_STRING = 32

export const latin1Decode = (bytes: Uint8Array, start: number, end: number): string => {
  if (end - start <= SHORT_STRING) {
    let text = ""
    for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]!)
    return text
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1", start, end)
}

/**
 * Field names repeat in every record, so they are looked up by a hash the
 * decoder computes while it scans for the NUL, instead of being rebuilt.
 */
const TABLE_SIZE = 1024
const TABLE_MASK = TABLE_SIZE - 1
/** Stop caching at half load so probes stay short and memory stays bounded. */
const TABLE_LIMIT = TABLE_SIZE / 2

const tableNames: Array<string | undefined> = new Array<string | undefined>(TABLE_SIZE).fill(undefined)
const tableHashes = new Int32Array(TABLE_SIZE)
let tableCount = 0

/** FNV-1a over the name bytes; the decoder folds each byte in while it looks for the NUL. */
export const NAME_HASH_SEED = -2128831035
export const nameHashStep = (hash: number, byte: number): number => Math.imul(hash ^ byte, 16777619)

/**
 * The id of the name in `bytes[start, end)` (its slot in the table, stable
 * for the life of the process), or -1 once the table is full and the name is
 * not in it. Decoded records keep ids, not strings, and turn them into names
 * (`nameOf`) or JSON keys only when read.
 */
export const nameId = (bytes: Uint8Array, start: number, end: number, hash: number): number => {
  const length = end - start
  let slot = hash & TABLE_MASK
  for (;;) {
    const cached = tableNames[slot]
    if (cached === undefined) break
    if (tableHashes[slot] === hash && cached.length === length) {
      let same = true
      for (let i = 0; i < length; i++) {
        if (cached.charCodeAt(i) !== bytes[start + i]) {
          same = false
          break
        }
      }
      if (same) return slot
    }
    slot = (slot + 1) & TABLE_MASK
  }
  if (tableCount >= TABLE_LIMIT) return -1
  tableNames[slot] = latin1Decode(bytes, start, end)
  tableHashes[slot] = hash
  tableCount++
  return slot
}

/** The name with this id (from `nameId`, not -1). */
export const nameOf = (id: number): string => tableNames[id]!

/** Ids range over [0, NAME_IDS). */
export const NAME_IDS = TABLE_SIZE
