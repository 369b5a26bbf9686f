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
