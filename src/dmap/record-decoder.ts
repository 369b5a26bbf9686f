/**
 * Incremental DMAP decoding: bytes arrive in chunks of any size (a TCP
 * socket, a decompressor's output) and records come out as they complete.
 *
 * Chunks are kept as they arrive and joined only once a whole record is
 * buffered, so a large record arriving in many small chunks is copied once,
 * not once per chunk.
 */
import type { DecodeOptions } from "./decode.js"
import { DmapDecodeError } from "./errors.js"
import { checkRecordHeader, decodeRecordBody } from "./record-body.js"
import type { DmapRecord } from "./types.js"
import { DEFAULT_MAX_RECORD_BYTES, HEADER_BYTES, plainBytes } from "./wire.js"

export interface DecoderStep {
  /** Records completed by this chunk, in order. */
  readonly records: ReadonlyArray<DmapRecord>
  /** Set once the stream is known to be bad; the decoder then accepts nothing more. */
  readonly error: DmapDecodeError | undefined
}

export class DmapRecordDecoder {
  private readonly maxRecordBytes: number
  /**
   * Buffered chunks from index `head` on; bytes before `headOffset` of the
   * head chunk are consumed. An index instead of Array#shift keeps many tiny
   * chunks linear.
   */
  private chunks: Array<Uint8Array> = []
  private head = 0
  private headOffset = 0
  private buffered = 0
  /** Absolute stream offset of the first buffered byte. */
  private consumed = 0
  private failure: DmapDecodeError | undefined = undefined
  private readonly header = new Uint8Array(HEADER_BYTES)
  private readonly headerView = new DataView(this.header.buffer)

  constructor(options?: DecodeOptions) {
    this.maxRecordBytes = options?.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES
  }

  /** Absolute offset of the next byte the decoder has not turned into a record. */
  get offset(): number {
    return this.consumed
  }

  push(chunk: Uint8Array): DecoderStep {
    if (this.failure !== undefined) return { records: [], error: this.failure }
    if (chunk.length > 0) {
      this.chunks.push(plainBytes(chunk))
      this.buffered += chunk.length
    }
    const records: Array<DmapRecord> = []
    while (this.buffered >= HEADER_BYTES) {
      this.copyOut(this.header, HEADER_BYTES)
      const size = this.headerView.getInt32(4, true)
      const headerError = checkRecordHeader(this.headerView.getInt32(0, true), size, this.consumed, this.maxRecordBytes)
      if (headerError !== undefined) return this.fail(records, headerError)
      if (this.buffered < size) break
      const { bytes, start } = this.take(size)
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      const result = decodeRecordBody(bytes, view, start, size, this.consumed - start)
      if (result instanceof DmapDecodeError) return this.fail(records, result)
      records.push(result)
      this.consumed += size
    }
    return { records, error: undefined }
  }

  /** Call at the end of the stream: an incomplete record left over is a Truncated error. */
  finish(): DmapDecodeError | undefined {
    if (this.failure !== undefined) return this.failure
    if (this.buffered === 0) return undefined
    // The size field is bytes 4-7 of the header; a cut inside them leaves it unknown.
    if (this.buffered >= 8) this.copyOut(this.header, 8)
    const recordSize = this.buffered >= 8 ? this.headerView.getInt32(4, true) : undefined
    this.failure = new DmapDecodeError({
      offset: this.consumed,
      reason: "Truncated",
      detail: `the stream ended ${this.buffered} bytes into a record`,
      ...(recordSize === undefined ? {} : { recordSize })
    })
    return this.failure
  }

  private fail(records: ReadonlyArray<DmapRecord>, error: DmapDecodeError): DecoderStep {
    this.failure = error
    this.chunks = []
    this.head = 0
    this.buffered = 0
    return { records, error }
  }

  /** Copies the first `length` buffered bytes into `target` without consuming them. */
  private copyOut(target: Uint8Array, length: number): void {
    let filled = 0
    let offset = this.headOffset
    for (let i = this.head; filled < length; i++) {
      const chunk = this.chunks[i]!
      const part = Math.min(chunk.length - offset, length - filled)
      target.set(chunk.subarray(offset, offset + part), filled)
      filled += part
      offset = 0
    }
  }

  /**
   * Consumes `size` buffered bytes. When they lie in one chunk they are
   * returned in place (the body decoder copies what it keeps); otherwise
   * they are joined into one new buffer.
   */
  private take(size: number): { readonly bytes: Uint8Array; readonly start: number } {
    const first = this.chunks[this.head]!
    if (first.length - this.headOffset >= size) {
      const start = this.headOffset
      this.headOffset += size
      if (this.headOffset === first.length) this.dropHeadChunk()
      this.buffered -= size
      return { bytes: first, start }
    }
    const joined = new Uint8Array(size)
    let filled = 0
    while (filled < size) {
      const chunk = this.chunks[this.head]!
      const part = Math.min(chunk.length - this.headOffset, size - filled)
      joined.set(chunk.subarray(this.headOffset, this.headOffset + part), filled)
      filled += part
      this.headOffset += part
      if (this.headOffset === chunk.length) this.dropHeadChunk()
    }
    this.buffered -= size
    return { bytes: joined, start: 0 }
  }

  private dropHeadChunk(): void {
    this.head++
    this.headOffset = 0
    if (this.head === this.chunks.length) {
      this.chunks = []
      this.head = 0
    } else if (this.head >= 1024) {
      this.chunks = this.chunks.slice(this.head)
      this.head = 0
    }
  }
}
