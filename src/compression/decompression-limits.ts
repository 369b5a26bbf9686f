/**
 * What any decompression of an untrusted file may produce before it is
 * stopped: real SuperDARN files expand a few times and stay far below a
 * gigabyte, a bomb expands by thousands.
 */

export interface DecompressionLimits {
  /** Output bytes allowed in total. */
  readonly maxBytes: number
  /** Output bytes allowed per input byte. */
  readonly maxRatio: number
}

/** Output below this never counts as a bomb by ratio: a short, repetitive log compresses past any ratio. */
export const RATIO_FLOOR_BYTES = 1 << 20

/** Why `outputBytes` from `inputBytes` is too much, or undefined while within the limits. */
export const decompressionExcess = (
  limits: DecompressionLimits,
  inputBytes: number,
  outputBytes: number
): string | undefined => {
  if (outputBytes > limits.maxBytes) {
    return `decompresses to more than ${Math.round(limits.maxBytes / (1024 * 1024))} MB`
  }
  if (outputBytes > RATIO_FLOOR_BYTES && outputBytes > limits.maxRatio * inputBytes) {
    return `decompresses more than ${limits.maxRatio}:1 (${inputBytes} bytes gave over ${outputBytes})`
  }
  return undefined
}
