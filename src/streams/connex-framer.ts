/**
 * Connex framing as RST/ROS `rtserver` writes it: the magic bytes 49 08 1e 00,
 * a uint32 little-endian payload length, then one whole DMAP record whose own
 * size field equals that length. A zero-length frame is legal and empty.
 *
 * The framer is pure and incremental: bytes go in with `push`, frames come out
 * of `next`. A slow client of a real rtserver loses the oldest bytes, and a
 * reconnecting one may start mid-frame, so anything that is not a plausible
 * frame is skipped up to the next magic. Skipping never gives up and never
 * allocates a declared length: a length above the cap is garbage too.
 *
 * Payloads are views into the framer's buffer. Written bytes are never
 * overwritten (compaction moves the unread tail into a fresh buffer), so a
 * payload stays valid for as long as the caller holds it.
 */

export const CONNEX_MAGIC: Readonly<Uint8Array> = new Uint8Array([0x49, 0x08, 0x1e, 0x00])

/** magic + length */
export const CONNEX_HEADER_BYTES = 8

/** A DMAP record header: its code and its size. A shorter payload cannot be a record. */
const DMAP_HEADER_BYTES = 8

export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024

const MIN_CAPACITY = 64 * 1024

/** Why bytes were skipped. */
export type ResyncReason =
  | "BadMagic"
  /** Declared length above the cap, or too short to hold a DMAP record header. */
  | "BadLength"
  /** The DMAP record's own size field disagrees with the frame length. */
  | "SizeMismatch"
  /** The caller could not decode the last frame and rejected it. */
  | "Rejected"

export type ConnexEvent =
  | { readonly _tag: "Frame"; readonly payload: Uint8Array }
  | { readonly _tag: "Resync"; readonly reason: ResyncReason; readonly skippedBytes: number }

/** Encodes one frame around a payload; used by simulators and tests. */
export const connexFrame = (payload: Uint8Array): Uint8Array => {
  const frame = new Uint8Array(CONNEX_HEADER_BYTES + payload.length)
  frame.set(CONNEX_MAGIC, 0)
  new DataView(frame.buffer).setUint32(4, payload.length, true)
  frame.set(payload, CONNEX_HEADER_BYTES)
  return frame
}

export class ConnexFramer {
  private buffer = new Uint8Array(MIN_CAPACITY)
  private view = new DataView(this.buffer.buffer)
  private start = 0
  private end = 0
  /** Start of the frame last returned, while it can still be rejected. */
  private lastFrameStart = -1
  /** Set while skipping: why the skip began and how many bytes it dropped so far. */
  private skipReason: ResyncReason | undefined = undefined
  private skipped = 0
  /** Where the search for the next magic resumes while skipping. */
  private searchFrom = 0

  constructor(readonly maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES) {}

  /** Bytes held and not yet framed. */
  get buffered(): number {
    return this.end - this.start
  }

  push(chunk: Uint8Array): void {
    this.lastFrameStart = -1
    if (chunk.length === 0) return
    if (this.end + chunk.length > this.buffer.length) this.compact(chunk.length)
    this.buffer.set(chunk, this.end)
    this.end += chunk.length
  }

  /**
   * Gives back the frame last returned by `next` as undecodable: the framer
   * resumes the search one byte after its magic, so frames hidden inside a
   * cut frame's declared length are still found. Valid until the next `push`.
   */
  reject(): void {
    if (this.lastFrameStart < 0) return
    this.start = this.lastFrameStart
    this.lastFrameStart = -1
    this.beginSkip("Rejected")
  }

  /** The next frame or resync, or undefined when more bytes are needed. */
  next(): ConnexEvent | undefined {
    const buffer = this.buffer
    for (;;) {
      const available = this.end - this.start
      if (this.skipReason !== undefined) {
        const found = this.findMagic(this.searchFrom)
        if (found < 0) {
          // Keep a tail that may be the start of a magic split across chunks.
          const keep = Math.min(this.end - this.searchFrom, CONNEX_MAGIC.length - 1)
          this.skipped += available - keep
          this.start = this.end - keep
          this.searchFrom = this.start
          return undefined
        }
        const event: ConnexEvent = {
          _tag: "Resync",
          reason: this.skipReason,
          skippedBytes: this.skipped + (found - this.start)
        }
        this.start = found
        this.skipReason = undefined
        this.skipped = 0
        return event
      }
      if (available === 0) return undefined
      const s = this.start
      const magicBytes = Math.min(available, CONNEX_MAGIC.length)
      for (let i = 0; i < magicBytes; i++) {
        if (buffer[s + i] !== CONNEX_MAGIC[i]) {
          this.beginSkip("BadMagic")
          break
        }
      }
      if (this.skipReason !== undefined) continue
      if (available < CONNEX_HEADER_BYTES) return undefined
      const length = this.view.getUint32(s + 4, true)
      if (length === 0) {
        this.lastFrameStart = s
        this.start = s + CONNEX_HEADER_BYTES
        return { _tag: "Frame", payload: buffer.subarray(this.start, this.start) }
      }
      if (length < DMAP_HEADER_BYTES || length > this.maxFrameBytes) {
        this.beginSkip("BadLength")
        continue
      }
      // Check the record's own size as soon as it is in, so stale bytes are
      // dropped at once instead of after waiting for a bogus length.
      if (available >= CONNEX_HEADER_BYTES + DMAP_HEADER_BYTES) {
        if (this.view.getInt32(s + CONNEX_HEADER_BYTES + 4, true) !== length) {
          this.beginSkip("SizeMismatch")
          continue
        }
      }
      if (available < CONNEX_HEADER_BYTES + length) return undefined
      this.lastFrameStart = s
      const payloadStart = s + CONNEX_HEADER_BYTES
      this.start = payloadStart + length
      return { _tag: "Frame", payload: buffer.subarray(payloadStart, this.start) }
    }
  }

  private beginSkip(reason: ResyncReason): void {
    this.skipReason = reason
    this.skipped = 0
    this.searchFrom = this.start + 1
  }

  /** Index of the next full or partial (at the buffer's end) magic at or after `from`, or -1. */
  private findMagic(from: number): number {
    const buffer = this.buffer
    const end = this.end
    const window = buffer.subarray(0, end)
    let i = window.indexOf(CONNEX_MAGIC[0]!, from)
    while (i >= 0) {
      const n = Math.min(CONNEX_MAGIC.length, end - i)
      let match = true
      for (let k = 1; k < n; k++) {
        if (buffer[i + k] !== CONNEX_MAGIC[k]) {
          match = false
          break
        }
      }
      if (match) return n === CONNEX_MAGIC.length ? i : -1
      i = window.indexOf(CONNEX_MAGIC[0]!, i + 1)
    }
    return -1
  }

  /** Moves the unread bytes into a new buffer with room for `incoming` more. */
  private compact(incoming: number): void {
    const held = this.end - this.start
    const capacity = Math.max(MIN_CAPACITY, 2 * (held + incoming))
    const next = new Uint8Array(capacity)
    next.set(this.buffer.subarray(this.start, this.end), 0)
    this.buffer = next
    this.view = new DataView(next.buffer)
    this.searchFrom -= this.start
    this.start = 0
    this.end = held
  }
}
