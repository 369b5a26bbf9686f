/**
 * The layout of a record: its field names and types in order. Consecutive
 * records of a file or feed almost always share one of a few layouts (a
 * fitacf record without echoes lacks the per-range arrays, that is all), so
 * a decoded record keeps a reference to its layout instead of a table of its
 * own, and the decoder checks a record against the layouts it has seen
 * before it reads any name.
 *
 * A newly started process gains most from that check. It compares each
 * field's name, NUL and type byte four bytes at a time against words
 * prepared once per layout: a few operations per field, where finding each
 * name's end and looking the name up took some dozens, and a new process
 * runs that code in V8's slow tiers for its first several hundred records.
 * It also allocates nothing, so decoding a file makes no memory but one
 * small object per record, where the field tables had been 8 MB of new
 * pages for a 21 MB file.
 *
 * Layouts are plain arrays, not typed arrays: a typed array's memory is
 * allocated outside V8's heap and counts towards the pressure that makes V8
 * collect garbage.
 */
import { ELEMENT_BYTES, HEADER_BYTES, MAX_DIMENSIONS, STRING_TYPE } from "./wire.js"

export class RecordLayout {
  /** Per field, the bytes of its name, NUL and type as little-endian words; the last one masked. */
  readonly #firstWord: Array<number>
  readonly #words: Array<number>
  readonly #masks: Array<number>

  constructor(
    readonly scalarCount: number,
    readonly arrayCount: number,
    /** Per field, scalars first; latin1, so a name's length is its byte length. */
    readonly names: ReadonlyArray<string>,
    /** Per field, its type code. */
    readonly types: ReadonlyArray<number>
  ) {
    const fields = names.length
    this.#firstWord = new Array<number>(fields + 1)
    this.#words = []
    this.#masks = []
    for (let field = 0; field < fields; field++) {
      this.#firstWord[field] = this.#words.length
      const name = names[field]!
      // The name, its NUL, its type byte.
      const length = name.length + 2
      for (let at = 0; at < length; at += 4) {
        let word = 0
        let mask = 0
        for (let k = 0; k < 4 && at + k < length; k++) {
          const byte = at + k < name.length ? name.charCodeAt(at + k) : at + k === name.length ? 0 : types[field]!
          word |= byte << (8 * k)
          mask |= 0xff << (8 * k)
        }
        this.#words.push(word)
        this.#masks.push(mask)
      }
    }
    this.#firstWord[fields] = this.#words.length
  }

  /** Whether `other` has the same fields, in the same order, of the same types. */
  equals(other: RecordLayout): boolean {
    if (other.scalarCount !== this.scalarCount || other.arrayCount !== this.arrayCount) return false
    for (let field = 0; field < this.names.length; field++) {
      if (other.names[field] !== this.names[field] || other.types[field] !== this.types[field]) return false
    }
    return true
  }

  /**
   * Whether the record at `bytes[start, end)` has this layout and is whole:
   * every check the full decoder makes, on every field. False says nothing
   * more; the full decoder then finds out what the record is, or what is
   * wrong with it, and where.
   */
  matches(bytes: Uint8Array, view: DataView, start: number, end: number): boolean {
    const scalarCount = this.scalarCount
    const fields = scalarCount + this.arrayCount
    if (view.getInt32(start + 8, true) !== scalarCount || view.getInt32(start + 12, true) !== this.arrayCount) {
      return false
    }
    const firstWord = this.#firstWord
    const words = this.#words
    const masks = this.#masks
    const types = this.types
    let p = start + HEADER_BYTES
    for (let field = 0; field < fields; field++) {
      const first = firstWord[field]!
      const last = firstWord[field + 1]!
      if (p + 4 * (last - first) <= end) {
        for (let w = first, q = p; w < last; w++, q += 4) {
          if ((view.getInt32(q, true) & masks[w]!) !== words[w]) return false
        }
      } else if (!this.#nameMatchesNearEnd(bytes, p, end, field)) {
        return false
      }
      p += this.names[field]!.length + 2
      const type = types[field]!
      if (field < scalarCount) {
        if (type === STRING_TYPE) {
          while (p < end && bytes[p] !== 0) p++
          if (p >= end) return false
          p++
        } else {
          p += ELEMENT_BYTES[type]!
          if (p > end) return false
        }
        continue
      }
      if (p + 4 > end) return false
      const dimensionCount = view.getInt32(p, true)
      if (dimensionCount <= 0 || dimensionCount > MAX_DIMENSIONS) return false
      p += 4
      if (p + 4 * dimensionCount > end) return false
      let count = 1
      for (let d = 0; d < dimensionCount; d++, p += 4) {
        const dim = view.getInt32(p, true)
        if (dim < 0) return false
        count *= dim
      }
      if (type === STRING_TYPE) {
        if (count > end - p) return false
        for (let s = 0; s < count; s++) {
          while (p < end && bytes[p] !== 0) p++
          if (p >= end) return false
          p++
        }
      } else {
        const byteLength = count * ELEMENT_BYTES[type]!
        if (byteLength > end - p) return false
        p += byteLength
      }
    }
    return p === end
  }

  /** The name, NUL and type of `field` at `p`, too near the record's end to read whole words. */
  #nameMatchesNearEnd(bytes: Uint8Array, p: number, end: number, field: number): boolean {
    const length = this.names[field]!.length + 2
    if (p + length > end) return false
    const first = this.#firstWord[field]!
    for (let k = 0; k < length; k++) {
      if (bytes[p + k] !== ((this.#words[first + (k >> 2)]! >>> (8 * (k & 3))) & 0xff)) return false
    }
    return true
  }
}

/** Enough for every layout of several file formats in one feed; a corrupt stream of new ones cannot grow it. */
const LAYOUTS_KEPT = 32

/**
 * The layouts seen lately, most recently matched first: a file's records
 * mostly match the first one tried.
 */
export class RecordLayouts {
  #layouts: Array<RecordLayout> = []

  /** The layout the record at `bytes[start, end)` has, if it is whole and has one seen lately. */
  find(bytes: Uint8Array, view: DataView, start: number, end: number): RecordLayout | undefined {
    const layouts = this.#layouts
    for (let i = 0; i < layouts.length; i++) {
      const layout = layouts[i]!
      if (layout.matches(bytes, view, start, end)) {
        if (i > 0) this.#toFront(i)
        return layout
      }
    }
    return undefined
  }

  /** The layout to use for a record that has `layout`: one seen before, or this one, from now on kept. */
  add(layout: RecordLayout): RecordLayout {
    const layouts = this.#layouts
    for (let i = 0; i < layouts.length; i++) {
      if (layouts[i]!.equals(layout)) {
        this.#toFront(i)
        return layouts[0]!
      }
    }
    layouts.unshift(layout)
    if (layouts.length > LAYOUTS_KEPT) layouts.pop()
    return layout
  }

  /** Layouts kept. */
  get size(): number {
    return this.#layouts.length
  }

  /** Forgets every layout (records keep theirs). */
  clear(): void {
    this.#layouts = []
  }

  #toFront(i: number): void {
    const layouts = this.#layouts
    const layout = layouts[i]!
    for (let j = i; j > 0; j--) layouts[j] = layouts[j - 1]!
    layouts[0] = layout
  }
}

/** The layouts every decoder of this process shares. */
export const recordLayouts = new RecordLayouts()
