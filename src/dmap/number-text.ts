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

/** Two ASCII digits per entry, "00".."99". */
const DIGIT_PAIRS: Uint8Array = (() => {
  const table = new Uint8Array(200)
  for (let i = 0; i < 100; i++) {
    table[2 * i] = ZERO + Math.floor(i / 10)
    table[2 * i + 1] = ZERO + (i % 10)
  }
  return table
})()

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

/** Digits of the value being printed: at most 15 + 2. */
const digits = new Uint8Array(20)

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

/** Writes the 15 digits of 1e14 <= n < 1e15 into `digits`, in int32 parts (a double % is a call). */
const fifteenDigits = (n: number): void => {
  const highHalf = Math.floor(n / 1e8)
  const high = highHalf | 0
  const low = (n - highHalf * 1e8) | 0
  const q0 = (high / 10000) | 0
  const q1 = 4 * (high - q0 * 10000)
  const q2 = (low / 10000) | 0
  const q3 = 4 * (low - q2 * 10000)
  const t0 = 4 * q0
  const t2 = 4 * q2
  digits[0] = DIGIT_QUADS[t0 + 1]!
  digits[1] = DIGIT_QUADS[t0 + 2]!
  digits[2] = DIGIT_QUADS[t0 + 3]!
  digits[3] = DIGIT_QUADS[q1]!
  digits[4] = DIGIT_QUADS[q1 + 1]!
  digits[5] = DIGIT_QUADS[q1 + 2]!
  digits[6] = DIGIT_QUADS[q1 + 3]!
  digits[7] = DIGIT_QUADS[t2]!
  digits[8] = DIGIT_QUADS[t2 + 1]!
  digits[9] = DIGIT_QUADS[t2 + 2]!
  digits[10] = DIGIT_QUADS[t2 + 3]!
  digits[11] = DIGIT_QUADS[q3]!
  digits[12] = DIGIT_QUADS[q3 + 1]!
  digits[13] = DIGIT_QUADS[q3 + 2]!
  digits[14] = DIGIT_QUADS[q3 + 3]!
}

/**
 * Writes `count` digits from `digits` whose decimal point comes after
 * `point` of them (JavaScript's rules: plain from 1e-7 up to 1e21, else
 * d.ddde±x). Returns the position after the text.
 */
const writeDigits = (out: Uint8Array, p: number, count: number, point: number): number => {
  if (count <= point && point <= 21) {
    for (let i = 0; i < count; i++) out[p++] = digits[i]!
    for (let i = count; i < point; i++) out[p++] = ZERO
    return p
  }
  if (0 < point && point <= 21) {
    for (let i = 0; i < point; i++) out[p++] = digits[i]!
    out[p++] = 46 // .
    for (let i = point; i < count; i++) out[p++] = digits[i]!
    return p
  }
  if (-6 < point && point <= 0) {
    out[p++] = ZERO
    out[p++] = 46
    for (let i = point; i < 0; i++) out[p++] = ZERO
    for (let i = 0; i < count; i++) out[p++] = digits[i]!
    return p
  }
  out[p++] = digits[0]!
  if (count > 1) {
    out[p++] = 46
    for (let i = 1; i < count; i++) out[p++] = digits[i]!
  }
  out[p++] = 101 // e
  let exponent = point - 1
  if (exponent < 0) {
    out[p++] = 45 // -
    exponent = -exponent
  } else {
    out[p++] = 43 // +
  }
  if (exponent >= 100) out[p++] = ZERO + Math.floor(exponent / 100)
  if (exponent >= 10) out[p++] = ZERO + (Math.floor(exponent / 10) % 10)
  out[p++] = ZERO + (exponent % 10)
  return p
}

/**
 * Writes a positive finite float32 value (widened to double) as JavaScript
 * prints the double; returns the position after it, or -1 where the value
 * must be printed by V8.
 */
const writePositiveFloat32 = (out: Uint8Array, p: number, value: number): number => {
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
    return chosen === 1e15 ? writeDecimal(out, p, 1e14, 0, 0, point + 1) : writeDecimal(out, p, chosen, 0, 0, point)
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
    return writeDecimal(out, p, whole, digit, 1, point)
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
  return writeDecimal(out, p, whole, nearest, 2, point)
}

/** 10^k for k in [0, 15], exact. */
const TEN_TO_WHOLE = Float64Array.from({ length: 16 }, (_, k) => 10 ** k)

/** Writes `n` < 10^width zero-padded to `width` (<= 16) digits; returns the position after them. */
const writePadded = (out: Uint8Array, p: number, n: number, width: number): number => {
  let end = p + width
  let rest = n
  while (end - p > 8) {
    // Above 2^31 the digits are split off in double arithmetic.
    const next = Math.floor(rest / 1e4)
    const quad = 4 * (rest - next * 1e4)
    out[end - 1] = DIGIT_QUADS[quad + 3]!
    out[end - 2] = DIGIT_QUADS[quad + 2]!
    out[end - 3] = DIGIT_QUADS[quad + 1]!
    out[end - 4] = DIGIT_QUADS[quad]!
    end -= 4
    rest = next
  }
  let small = rest | 0
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

/**
 * Writes the digits of `lead` (15 of them) followed by `tailCount` (0-2)
 * more digits of `tail`, with the decimal point after `point` digits.
 * Without a tail, trailing zeros are dropped. The layouts a DMAP file is
 * made of (a point within the digits or up to 5 zeros after "0.") are
 * written straight into `out`; the rest go through `digits`.
 */
const writeDecimal = (
  out: Uint8Array,
  p: number,
  lead: number,
  tail: number,
  tailCount: number,
  point: number
): number => {
  if (point > 15 || point <= -6) return writeDigitsOf(out, p, lead, tail, tailCount, point)
  let fraction: number
  let width: number
  if (point > 0) {
    const unit = TEN_TO_WHOLE[15 - point]!
    const integer = Math.floor(lead / unit)
    fraction = lead - integer * unit
    width = 15 - point
    p = writeWhole(out, p, integer)
  } else {
    out[p++] = ZERO
    fraction = lead
    width = 15
  }
  if (tailCount === 0) {
    if (fraction === 0) return p
    for (;;) {
      const next = Math.floor(fraction / 10)
      if (next * 10 !== fraction) break
      fraction = next
      width--
    }
  }
  out[p++] = 46 // .
  for (let i = point; i < 0; i++) out[p++] = ZERO
  if (width > 0) p = writePadded(out, p, fraction, width)
  if (tailCount === 1) {
    out[p++] = ZERO + tail
  } else if (tailCount === 2) {
    out[p++] = DIGIT_PAIRS[2 * tail]!
    out[p++] = DIGIT_PAIRS[2 * tail + 1]!
  }
  return p
}

/** writeDecimal for the other layouts: the digits gathered in `digits`, then laid out by writeDigits. */
const writeDigitsOf = (
  out: Uint8Array,
  p: number,
  lead: number,
  tail: number,
  tailCount: number,
  point: number
): number => {
  fifteenDigits(lead)
  let count = 15
  if (tailCount === 1) {
    digits[count++] = ZERO + tail
  } else if (tailCount === 2) {
    digits[count++] = DIGIT_PAIRS[2 * tail]!
    digits[count++] = DIGIT_PAIRS[2 * tail + 1]!
  } else {
    while (digits[count - 1] === ZERO) count--
  }
  return writeDigits(out, p, count, point)
}

/** Writes a non-negative integer below 2^53. */
const writeWhole = (out: Uint8Array, p: number, value: number): number => {
  if (value < 10) {
    out[p] = ZERO + value
    return p + 1
  }
  let width = 2
  while (width < 16 && value >= TEN_TO_WHOLE[width]!) width++
  return writePadded(out, p, value, width)
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
    const end = writePositiveFloat32(out, p, magnitude)
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
  const end = writePositiveFloat32(out, p, magnitude)
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
