/**
 * Numbers written as bytes exactly as JavaScript prints them (Number#toString,
 * which JSON.stringify uses too): the shortest digits that read back as the
 * same double, the closest of them to the value, in JavaScript's choice of
 * plain or exponent notation.
 *
 * DMAP files are mostly float32 arrays. Widened to double, a float32 value
 * needs 16 or 17 digits, which sends V8's fast shortest-digits algorithm
 * (Grisu3) to its exact bignum fallback for most of them: about 500 ns a
 * value, and a string each. A float32 has only 24 significant bits, though,
 * so its product with a power of ten held as two doubles is exact up to
 * ~2^-100 relative, and the digits can be decided in a few double
 * operations. Where that precision could decide wrongly (a value within
 * 1e-9 of a rounding boundary, exact ties, powers of two with their
 * lopsided interval) the value is printed by V8 instead, so the output is
 * always V8's own.
 */

const ZERO = 48

/** Smallest and largest power of ten a finite float32 needs to bring its magnitude to [1e14, 1e15). */
const SCALE_MIN = -26
const SCALE_MAX = 62

/**
 * 10^s as hi + lo (lo the rounded remainder), with hi split into two halves
 * of at most 26 and 27 significant bits (Veltkamp): a float32 times either
 * half is an exact double.
 */
const POWER_HIGH = new Float64Array(SCALE_MAX - SCALE_MIN + 1)
const POWER_MID = new Float64Array(SCALE_MAX - SCALE_MIN + 1)
const POWER_LOW = new Float64Array(SCALE_MAX - SCALE_MIN + 1)

/** The double nearest to numerator / denominator (positive bigints), correctly rounded. */
const ratioToDouble = (numerator: bigint, denominator: bigint): number => {
  if (numerator === 0n) return 0
  // 64 significant bits of quotient, then one rounding to 53 by Number().
  const shift = BigInt(denominator.toString(2).length - numerator.toString(2).length + 64)
  const quotient = shift >= 0n ? (numerator << shift) / denominator : (numerator >> -shift) / denominator
  return Number(quotient) * 2 ** -Number(shift)
}

for (let s = SCALE_MIN; s <= SCALE_MAX; s++) {
  const exact: readonly [bigint, bigint] = s >= 0 ? [10n ** BigInt(s), 1n] : [1n, 10n ** BigInt(-s)]
  const high = ratioToDouble(exact[0], exact[1])
  // remainder = exact - high, as a ratio of integers: high = mantissa * 2^exponent exactly.
  let mantissa = high
  let exponent = 0
  while (!Number.isInteger(mantissa)) {
    mantissa *= 2
    exponent--
  }
  const highNumerator = BigInt(mantissa) * (exponent < 0 ? 1n : 2n ** BigInt(exponent))
  const highDenominator = exponent < 0 ? 2n ** BigInt(-exponent) : 1n
  const remainderNumerator = exact[0] * highDenominator - highNumerator * exact[1]
  const remainderDenominator = exact[1] * highDenominator
  const low = remainderNumerator < 0n
    ? -ratioToDouble(-remainderNumerator, remainderDenominator)
    : ratioToDouble(remainderNumerator, remainderDenominator)
  const split = high * 134217729
  const top = split - (split - high)
  POWER_HIGH[s - SCALE_MIN] = top
  POWER_MID[s - SCALE_MIN] = high - top
  POWER_LOW[s - SCALE_MIN] = low
}

/** 10^s (nearest double) for s in [SCALE_MIN, SCALE_MAX], and 2^e for e in [EXPONENT_MIN, EXPONENT_MAX]. */
const TEN_TO = Float64Array.from({ length: SCALE_MAX - SCALE_MIN + 1 }, (_, i) => Number(`1e${i + SCALE_MIN}`))
const EXPONENT_MIN = -150 - 53
const EXPONENT_MAX = 128 - 53
const TWO_TO = Float64Array.from({ length: EXPONENT_MAX - EXPONENT_MIN + 1 }, (_, i) => 2 ** (i + EXPONENT_MIN))

/**
 * floor(log10(x)) for x in [2^e, 2^(e+1)): FLOOR_LOG10[e] below
 * NEXT_POWER_OF_TEN[e], one more from there on.
 */
const BINARY_MIN = -150
const FLOOR_LOG10 = new Int32Array(128 - BINARY_MIN + 1)
const NEXT_POWER_OF_TEN = new Float64Array(128 - BINARY_MIN + 1)
for (let e = BINARY_MIN; e <= 128; e++) {
  const floor = Math.floor(Math.log10(2 ** e))
  // Math.log10 may round up just below a power of ten; 10^floor must not exceed 2^e.
  const low = Number(`1e${floor}`) > 2 ** e ? floor - 1 : floor
  FLOOR_LOG10[e - BINARY_MIN] = low
  NEXT_POWER_OF_TEN[e - BINARY_MIN] = Number(`1e${low + 1}`)
}

/** Reads a double's exponent bits. */
const bitsView = new Float64Array(1)
const bitsWords = new Uint32Array(bitsView.buffer)
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0

/**
 * Doubles handed between the printing functions: a double passed as an
 * argument to a function V8 does not inline is boxed as a heap number, which
 * is an allocation per printed value. [0] the value, [1] its 15 leading digits.
 */
const ARGS = new Float64Array(2)
const VALUE = 0
const LEAD = 1

/** Decisions closer than this to a boundary are left to V8 (the arithmetic is good to ~1e-15). */
const GUARD = 1e-9

/** Four ASCII digits per entry, "0000".."9999". */
const DIGIT_QUADS: Uint8Array = (() => {
  const table = new Uint8Array(40000)
  for (let i = 0; i < 10000; i++) {
    table[4 * i] = ZERO + Math.floor(i / 1000)
    table[4 * i + 1] = ZERO + (Math.floor(i / 100) % 10)
    table[4 * i + 2] = ZERO + (Math.floor(i / 10) % 10)
    table[4 * i + 3] = ZERO + (i % 10)
  }
  return table
})()

/**
 * Writes the positive finite float32 value (widened to double) in
 * ARGS[VALUE] as JavaScript prints the double; returns the position after it, or -1 where the value
 * must be printed by V8.
 */
const writePositiveFloat32 = (out: Uint8Array, p: number): number => {
  const value = ARGS[VALUE]!
  bitsView[0] = value
  const highWord = bitsWords[HIGH_WORD]!
  // A power of two has a narrower interval below it than above: left to V8.
  if ((highWord & 0xfffff) === 0 && bitsWords[1 - HIGH_WORD] === 0) return -1
  const binaryExponent = ((highWord >>> 20) & 0x7ff) - 1023
  // The float32 significand (24 bits, the leading one included) and the
  // weight of its lowest set bit: a scaled value has a fraction of exactly
  // one half, a tie, only when that weight is 2^-(decimals + 1).
  const significand = ((highWord & 0xfffff) << 3) | (bitsWords[1 - HIGH_WORD]! >>> 29) | 0x800000
  const lowestBit = binaryExponent - 23 + (31 - Math.clz32(significand & -significand))
  const exponentIndex = binaryExponent - BINARY_MIN
  let scale = 14 - FLOOR_LOG10[exponentIndex]! - (value >= NEXT_POWER_OF_TEN[exponentIndex]! ? 1 : 0)
  let whole = 0
  let fraction = 0
  for (let attempt = 0;; attempt++) {
    if (scale < SCALE_MIN || scale > SCALE_MAX || attempt === 2) return -1
    const k = scale - SCALE_MIN
    // value * 10^scale = a + b + c: a and b exact, c good to 2^-53 of itself.
    const a = value * POWER_HIGH[k]!
    const b = value * POWER_MID[k]!
    const c = value * POWER_LOW[k]!
    const wholeA = Math.floor(a)
    const wholeB = Math.floor(b)
    const sum = (a - wholeA) + (b - wholeB) + c
    const carry = Math.floor(sum)
    whole = wholeA + wholeB + carry
    fraction = sum - carry
    if (whole < 1e14) scale++
    else if (whole >= 1e15) scale--
    else break
  }
  // Half the gap between this double and its neighbours, in units of the scaled value.
  const half = TWO_TO[binaryExponent - 53 - EXPONENT_MIN]! * TEN_TO[scale - SCALE_MIN]!
  const downSlack = half - fraction
  const upSlack = half - (1 - fraction)
  if (Math.abs(downSlack) < GUARD || Math.abs(upSlack) < GUARD) return -1
  const point = 15 - scale
  if (downSlack > 0 || upSlack > 0) {
    // An integer of the scaled value is within reach (at most one is, as
    // half < 0.12): 15 digits or fewer, trailing zeros dropped.
    const chosen = downSlack > 0 ? whole : whole + 1
    if (chosen === 1e15) {
      ARGS[LEAD] = 1e14
      return writeDecimal(out, p, 0, 0, point + 1)
    }
    ARGS[LEAD] = chosen
    return writeDecimal(out, p, 0, 0, point)
  }
  const tenths = fraction * 10
  const tenth = Math.floor(tenths)
  const rest = tenths - tenth
  // Multiples of 0.1 within reach: the closer one if both are.
  const down = half * 10 - rest
  const up = half * 10 - (1 - rest)
  if (Math.abs(down) < GUARD || Math.abs(up) < GUARD) return -1
  if (down > 0 || up > 0) {
    let digit = tenth
    if (down > 0 && up > 0) {
      if (lowestBit === -(scale + 2)) {
        // Exactly halfway: to the even digit, as V8's exact algorithm does.
        if ((digit & 1) === 1) digit++
      } else if (Math.abs(rest - 0.5) < GUARD) {
        return -1
      } else if (rest > 0.5) {
        digit++
      }
    } else if (up > 0) {
      digit++
    }
    // (A digit carried to 10 would have made the integer reachable above.)
    ARGS[LEAD] = whole
    return writeDecimal(out, p, digit, 1, point)
  }
  // 17 digits: the nearest multiple of 0.01 is always within reach.
  const hundredths = fraction * 100
  let nearest = Math.floor(hundredths)
  const left = hundredths - nearest
  if (lowestBit === -(scale + 3)) {
    if ((nearest & 1) === 1) nearest++
  } else if (Math.abs(left - 0.5) < GUARD) {
    return -1
  } else if (left > 0.5) {
    nearest++
  }
  ARGS[LEAD] = whole
  return writeDecimal(out, p, nearest, 2, point)
}

/** 10^k for k in [0, 15], exact. */
const TEN_TO_WHOLE = Float64Array.from({ length: 16 }, (_, k) => 10 ** k)

/** Writes `n` < 10^width (an int32, width <= 8) zero-padded to `width` digits; returns the position after them. */
const writePaddedInt = (out: Uint8Array, p: number, n: number, width: number): number => {
  let end = p + width
  let small = n
  while (end - p >= 4) {
    const next = (small / 1e4) | 0
    const quad = 4 * (small - next * 1e4)
    out[end - 1] = DIGIT_QUADS[quad + 3]!
    out[end - 2] = DIGIT_QUADS[quad + 2]!
    out[end - 3] = DIGIT_QUADS[quad + 1]!
    out[end - 4] = DIGIT_QUADS[quad]!
    end -= 4
    small = next
  }
  const quad = 4 * small
  const left = end - p
  if (left === 3) {
    out[p] = DIGIT_QUADS[quad + 1]!
    out[p + 1] = DIGIT_QUADS[quad + 2]!
    out[p + 2] = DIGIT_QUADS[quad + 3]!
  } else if (left === 2) {
    out[p] = DIGIT_QUADS[quad + 2]!
    out[p + 1] = DIGIT_QUADS[quad + 3]!
  } else if (left === 1) {
    out[p] = DIGIT_QUADS[quad + 3]!
  }
  return p + width
}

/** "0000".."9999" as the little-endian words of their four ASCII digits: one write per four digits. */
const QUAD_WORDS: Uint32Array = (() => {
  const table = new Uint32Array(10000)
  for (let i = 0; i < 10000; i++) {
    table[i] = (DIGIT_QUADS[4 * i]! | (DIGIT_QUADS[4 * i + 1]! << 8) | (DIGIT_QUADS[4 * i + 2]! << 16) |
      (DIGIT_QUADS[4 * i + 3]! << 24)) >>> 0
  }
  return table
})()

/** A DataView of the last buffer written to, which is nearly always the same one. */
let viewed: Uint8Array | undefined
let viewedView: DataView = new DataView(new ArrayBuffer(0))
const viewOf = (out: Uint8Array): DataView => {
  if (out !== viewed) {
    viewed = out
    viewedView = new DataView(out.buffer, out.byteOffset, out.byteLength)
  }
  return viewedView
}

/**
 * Writes the 15 digits of high * 1e7 + low, then the `tailCount` digits of
 * `tail`, at `p`; the digits after the eighth `gap` places further on. (Up
 * to 18 bytes are written: without a tail, a zero after the fifteenth.)
 */
const writeDigitsFrom = (
  view: DataView,
  out: Uint8Array,
  p: number,
  high: number,
  low: number,
  tail: number,
  tailCount: number,
  gap: number
): void => {
  writeEight(view, p, high)
  if (tailCount === 2) {
    const rest = low * 100 + tail
    const first = (rest / 1e8) | 0
    out[p + 8 + gap] = ZERO + first
    writeEight(view, p + 9 + gap, rest - first * 1e8)
  } else {
    writeEight(view, p + 8 + gap, tailCount === 1 ? low * 10 + tail : low * 10)
  }
}

/** Writes the int32 n < 1e8 as eight digits, zero-padded. */
const writeEight = (view: DataView, p: number, n: number): void => {
  const high = (n / 1e4) | 0
  view.setUint32(p, QUAD_WORDS[high]!, true)
  view.setUint32(p + 4, QUAD_WORDS[n - high * 1e4]!, true)
}

/**
 * Writes high * 1e8 + low (high < 1e8, low < 1e8, both int32) zero-padded
 * to `width` (<= 16) digits: split so that no double crosses a call.
 */
const writePadded = (out: Uint8Array, p: number, high: number, low: number, width: number): number =>
  width > 8 ? writePaddedInt(out, writePaddedInt(out, p, high, width - 8), low, 8) : writePaddedInt(out, p, low, width)

/**
 * Writes the digits of ARGS[LEAD] (15 of them) followed by `tailCount` (0-2)
 * more digits of `tail`, with the decimal point after `point` digits, in
 * JavaScript's layout (plain from 1e-7 up to 1e21, else d.ddde±x). Without
 * a tail, trailing zeros are dropped. The digits are written in place, in
 * int32 parts (no double crosses a call), then moved to make room for the
 * point.
 */
const writeDecimal = (out: Uint8Array, p: number, tail: number, tailCount: number, point: number): number => {
  const view = viewOf(out)
  const lead = ARGS[LEAD]!
  const high = (lead / 1e7) | 0
  const low = (lead - high * 1e7) | 0
  if (tailCount !== 0 && 0 < point && point <= 8) {
    // The common layout (16 or 17 digits, the point among the first eight):
    // the rest is written one place on, only the digits after the point
    // within the first eight are moved.
    writeDigitsFrom(view, out, p, high, low, tail, tailCount, 1)
    for (let i = p + 8; i > p + point; i--) out[i] = out[i - 1]!
    out[p + point] = 46 // .
    return p + 16 + tailCount
  }
  if (-6 < point && point <= 0) {
    // "0." and zeros, then the digits where they belong.
    const at = p + 2 - point
    out[p] = ZERO
    out[p + 1] = 46
    for (let i = p + 2; i < at; i++) out[i] = ZERO
    writeDigitsFrom(view, out, at, high, low, tail, tailCount, 0)
    let count = 15 + tailCount
    if (tailCount === 0) {
      while (out[at + count - 1] === ZERO) count--
    }
    return at + count
  }
  writeDigitsFrom(view, out, p, high, low, tail, tailCount, 0)
  let count = 15 + tailCount
  if (tailCount === 0) {
    while (out[p + count - 1] === ZERO) count--
  }
  if (0 < point && point < count) {
    for (let i = p + count; i > p + point; i--) out[i] = out[i - 1]!
    out[p + point] = 46 // .
    return p + count + 1
  }
  if (count <= point && point <= 21) {
    for (let i = count; i < point; i++) out[p + i] = ZERO
    return p + point
  }
  let end = p + 1
  if (count > 1) {
    for (let i = p + count; i > p + 1; i--) out[i] = out[i - 1]!
    out[p + 1] = 46
    end = p + count + 1
  }
  out[end++] = 101 // e
  let exponent = point - 1
  if (exponent < 0) {
    out[end++] = 45 // -
    exponent = -exponent
  } else {
    out[end++] = 43 // +
  }
  if (exponent >= 100) out[end++] = ZERO + Math.floor(exponent / 100)
  if (exponent >= 10) out[end++] = ZERO + (Math.floor(exponent / 10) % 10)
  out[end++] = ZERO + (exponent % 10)
  return end
}

/** Writes a non-negative integer below 2^53. */
const writeWhole = (out: Uint8Array, p: number, value: number): number => {
  if (value < 10) {
    out[p] = ZERO + value
    return p + 1
  }
  if (value < 1e8) {
    let width = 2
    while (value >= TEN_TO_WHOLE[width]!) width++
    return writePaddedInt(out, p, value, width)
  }
  return writeWholeSplit(out, p, value)
}

/** writeWhole for any value below 2^53, split before it crosses a call. */
const writeWholeSplit = (out: Uint8Array, p: number, value: number): number => {
  let width = 1
  while (width < 16 && value >= TEN_TO_WHOLE[width]!) width++
  const high = Math.floor(value / 1e8)
  return writePadded(out, p, high, value - high * 1e8, width)
}

/** Writes an ASCII string (V8's text of a number). */
const writeAscii = (out: Uint8Array, p: number, text: string): number => {
  for (let i = 0; i < text.length; i++) out[p++] = text.charCodeAt(i)
  return p
}

/** The most bytes `writeNumber` writes: "-1.2345678901234567e-308" and a margin. */
export const MAX_NUMBER_BYTES = 32

/**
 * Writes a finite number as `String(value)` would, into `out` at `p`, which
 * has room for MAX_NUMBER_BYTES; returns the position after it. -0 is
 * written "0", as String writes it.
 */
export const writeNumber = (out: Uint8Array, p: number, value: number): number => {
  let magnitude = value
  if (value < 0) {
    out[p++] = 45
    magnitude = -value
  }
  if (Number.isInteger(magnitude) && magnitude <= Number.MAX_SAFE_INTEGER) return writeWhole(out, p, magnitude)
  if (Math.fround(magnitude) === magnitude) {
    ARGS[VALUE] = magnitude
    const end = writePositiveFloat32(out, p)
    if (end >= 0) return end
  }
  return writeAscii(out, p, String(magnitude))
}

/**
 * writeNumber for a value known to be a finite float32, the bulk of a DMAP
 * file: called from one loop over Float32Arrays only, so V8 keeps it lean.
 */
export const writeFloat32 = (out: Uint8Array, p: number, value: number): number => {
  let magnitude = value
  if (value < 0) {
    out[p++] = 45
    magnitude = -value
  }
  if (Number.isInteger(magnitude) && magnitude <= Number.MAX_SAFE_INTEGER) return writeWhole(out, p, magnitude)
  ARGS[VALUE] = magnitude
  const end = writePositiveFloat32(out, p)
  return end >= 0 ? end : writeAscii(out, p, String(magnitude))
}

/** writeNumber for an integer below 2^53 in magnitude. */
export const writeInteger = (out: Uint8Array, p: number, value: number): number => {
  if (value < 0) {
    out[p++] = 45
    return writeWhole(out, p, -value)
  }
  return writeWhole(out, p, value)
}
