/**
 * Facts of the DMAP byte layout shared by the decoder and the encoder.
 * Everything is little-endian and tightly packed (the reference decoders,
 * not RST's RFC 0006, are the authority on this layout).
 */
import { DmapType } from "./types.js"

/** The int32 every record starts with. */
export const RECORD_CODE = 0x00010001

/** code, size, scalar count, array count: four int32. */
export const HEADER_BYTES = 16

/** Type code of a NUL-terminated string, the one type of no fixed width. */
export const STRING_TYPE = DmapType.string

/** Type code of a nested record; never written by SuperDARN software, always refused. */
export const NESTED_RECORD_TYPE = 255

/**
 * SuperDARN arrays have at most three dimensions (rawacf `acfd`: 2 x mplgs x
 * nrang); anything beyond this is a forged or corrupt header.
 */
export const MAX_DIMENSIONS = 16

/** Default cap on a single record's size field when decoding files. */
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024

/**
 * Bytes per element by type code; 0 for strings (variable) and for codes that
 * are not DMAP types. Indexed by the raw byte so the hot path does one load.
 */
export const ELEMENT_BYTES: Uint8Array = (() => {
  const table = new Uint8Array(256)
  table[DmapType.char] = 1
  table[DmapType.short] = 2
  table[DmapType.int] = 4
  table[DmapType.float] = 4
  table[DmapType.double] = 8
  table[DmapType.long] = 8
  table[DmapType.uchar] = 1
  table[DmapType.ushort] = 2
  table[DmapType.uint] = 4
  table[DmapType.ulong] = 8
  return table
})()

/**
 * Typed arrays view memory in host byte order; on a little-endian host the
 * wire bytes can be viewed directly, otherwise every element goes through a
 * DataView.
 */
export const HOST_IS_LITTLE_ENDIAN: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/**
 * The same bytes as a plain Uint8Array. Node Buffers (file reads, socket
 * chunks) are Uint8Array subclasses whose subarray is markedly slower.
 */
export const plainBytes = (bytes: Uint8Array): Uint8Array =>
  bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
