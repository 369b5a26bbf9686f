/**
 * Recognising a compressed file by its first bytes, never by its name: archive
 * mirrors are not consistent about suffixes.
 */

export type Compression = "bzip2" | "gzip" | "none"

/** Bytes needed to tell the formats apart. */
export const DETECT_BYTES = 4

const isBlockSizeDigit = (byte: number | undefined): boolean => byte !== undefined && byte >= 0x31 && byte <= 0x39

export const detectCompression = (head: Uint8Array): Compression => {
  // bzip2: "BZh" then the block size '1'..'9'.
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68 && isBlockSizeDigit(head[3])) return "bzip2"
  // gzip: 1f 8b, then compression method 8 (deflate), the only one defined.
  if (head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08) return "gzip"
  return "none"
}
