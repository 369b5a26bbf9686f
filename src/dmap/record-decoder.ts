/**
 * Incremental DMAP decoding: bytes arrive in chunks of any size (a TCP
 * socket, a decompressor's output, a file read into one reused buffer) and
 * records come out as they complete.
 *
 * Records that lie whole in a chunk are decoded where they are; only the
 * part of a record cut by the end of a chunk is copied, into a buffer the
 * decoder owns, so each byte is copied at most once and the caller may
 * reuse a chunk's memory as soon as `push` returns.
 */
import type { DecodeOptions } from "./decode.js"
import { sharedArena, SlabArena } from "./decoded-record.js"
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

export interface DecoderOptions extends DecodeOptions {
  /**
   * The records of each push are valid only until the next push, whose
   * records take the same memory: for a consumer that is done with every
   * record before it pushes more (`dmap dump`), so a stream of any length
   * is decoded in the same few buffers.
   */
  readonly transientRecords?: boolean
}

/** A partial record's buffer starts this small and doubles as its bytes arrive. */
const PENDING_INITIAL_BYTES = 64 * 1024
/** A buffer grown past this by a large record is let go once that record is decoded. */
const PENDING_KEEP_BYTES = 1024 * 1024

const NO_RECORDS: ReadonlyArray<DmapRecord> = Object.freeze([])

export class DmapRecordDecoder {
  private readonly maxRecordBytes: number
  /** The start of a record that the chunks so far did not complete. */
  private pending: Uint8Array = new Uint8Array(0)
  private pendingView: DataView = new DataView(this.pending.buffer)
  private pendingUsed = 0
  /** The pending record's size, once its header is in and accepted. */
  private pendingSize = 0
  /** Absolute stream offset of the first byte not yet decoded (the pending record's start). */
  private consumed = 0
  private failure: DmapDecodeError | undefined = undefined
  /** The shared arena, or this decoder's own, rewound at each push. */
  private readonly arena: SlabArena
  private readonly transient: boolean

  constructor(options?: DecoderOptions) {
    this.maxRecordBytes = options?.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES
    this.transient = options?.transientRecords === true
    this.arena = this.transient ? new SlabArena() : sharedArena
  }

  /** Absolute offset of the next byte the decoder has not turned into a record. */
  get offset(): number {
    return this.consumed
  }

  push(chunk: Uint8Array): DecoderStep {
    if (this.failure !== undefined) return { records: [], error: this.failure }
    if (this.transient) this.arena.rewind()
    const bytes = plainBytes(chunk)
    let records: Array<DmapRecord> | undefined
    let offset = 0
    if (this.pendingUsed > 0) {
      // First complete the record the previous chunks started.
      if (this.pendingSize === 0) {
        offset = this.append(bytes, 0, HEADER_BYTES - this.pendingUsed)
        if (this.pendingUsed < HEADER_BYTES) return { records: NO_RECORDS, error: undefined }
        const size = this.pendingView.getInt32(4, true)
        const headerError = checkRecordHeader(
          this.pendingView.getInt32(0, true),
          size,
          this.consumed,
          this.maxRecordBytes
        )
        if (headerError !== undefined) return this.fail(NO_RECORDS, headerError)
        this.pendingSize = size
      }
      offset = this.append(bytes, offset, this.pendingSize - this.pendingUsed)
      if (this.pendingUsed < this.pendingSize) return { records: NO_RECORDS, error: undefined }
      const result = decodeRecordBody(
        { bytes: this.pending, view: this.pendingView },
        0,
        this.pendingSize,
        this.consumed,
        this.arena,
        true
      )
      if (result instanceof DmapDecodeError) return this.fail(NO_RECORDS, result)
      records = [result]
      this.consumed += this.pendingSize
      this.pendingUsed = 0
      this.pendingSize = 0
      if (this.pending.length > PENDING_KEEP_BYTES) this.setPending(new Uint8Array(0))
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const source = { bytes, view }
    const base = this.consumed - offset
    while (bytes.length - offset >= HEADER_BYTES) {
      const size = view.getInt32(offset + 4, true)
      const headerError = checkRecordHeader(view.getInt32(offset, true), size, base + offset, this.maxRecordBytes)
      if (headerError !== undefined) return this.fail(records ?? NO_RECORDS, headerError)
      if (bytes.length - offset < size) {
        this.pendingSize = size
        break
      }
      const result = decodeRecordBody(source, offset, size, base, this.arena, true)
      if (result instanceof DmapDecodeError) return this.fail(records ?? NO_RECORDS, result)
      ;(records ??= []).push(result)
      offset += size
    }
    this.consumed = base + offset
    if (offset < bytes.length) this.append(bytes, offset, bytes.length - offset)
    return { records: records ?? NO_RECORDS, error: undefined }
  }

  /** Call at the end of the stream: an incomplete record left over is a Truncated error. */
  finish(): DmapDecodeError | undefined {
    if (this.failure !== undefined) return this.failure
    if (this.pendingUsed === 0) return undefined
    // The size field is bytes 4-7 of the header; a cut inside them leaves it unknown.
    const recordSize = this.pendingUsed >= 8 ? this.pendingView.getInt32(4, true) : undefined
    this.failure = new DmapDecodeError({
      offset: this.consumed,
      reason: "Truncated",
      detail: `the stream ended ${this.pendingUsed} bytes into a record`,
      ...(recordSize === undefined ? {} : { recordSize })
    })
    return this.failure
  }

  private fail(records: ReadonlyArray<DmapRecord>, error: DmapDecodeError): DecoderStep {
    this.failure = error
    this.setPending(new Uint8Array(0))
    this.pendingUsed = 0
    return { records, error }
  }

  private setPending(buffer: Uint8Array): void {
    this.pending = buffer
    this.pendingView = new DataView(buffer.buffer)
  }

  /**
   * Copies up to `length` bytes of `bytes` from `from` to the pending
   * record; returns the offset after the bytes taken. The buffer grows with
   * the bytes actually received, never ahead of them on a size field's word.
   */
  private append(bytes: Uint8Array, from: number, length: number): number {
    const take = Math.min(length, bytes.length - from)
    const needed = this.pendingUsed + take
    if (needed > this.pending.length) {
      const grown = new Uint8Array(Math.max(PENDING_INITIAL_BYTES, 2 * this.pending.length, needed))
      grown.set(this.pending.subarray(0, this.pendingUsed))
      this.setPending(grown)
    }
    this.pending.set(bytes.subarray(from, from + take), this.pendingUsed)
    this.pendingUsed = needed
    return from + take
  }
}
