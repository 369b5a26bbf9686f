/**
 * Whatever bytes arrive, the decoder answers with records or a
 * DmapDecodeError: it never throws anything else, never hangs, and never
 * allocates by a size it has not checked against the bytes it holds.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import { decodeRecord, decodeRecords } from "../../../src/dmap/decode.js"
import { encodeRecords } from "../../../src/dmap/encode.js"
import { DmapDecodeError } from "../../../src/dmap/errors.js"
import { DmapRecordDecoder } from "../../../src/dmap/record-decoder.js"
import { fixtureBytes } from "./fixture-files.js"

/** Runs every decoder entry point on `bytes`; any throw fails the property. */
const decodeEveryWay = (bytes: Uint8Array): void => {
  const whole = decodeRecords(bytes)
  if (whole.error !== undefined) expect(whole.error).toBeInstanceOf(DmapDecodeError)
  const single = decodeRecord(bytes)
  if (Either.isLeft(single)) expect(single.left).toBeInstanceOf(DmapDecodeError)
  const decoder = new DmapRecordDecoder()
  const step = decoder.push(bytes)
  const end = decoder.finish()
  expect(step.records.length).toBe(whole.records.length)
  expect(end?.reason).toBe(whole.error?.reason)
  expect(end?.offset).toBe(whole.error?.offset)
}

const record = fixtureBytes("test.fitacf").subarray(0, 5324)
const grid = fixtureBytes("test.grid")

/** A real record with a few bytes overwritten, cut or inserted: mostly structurally plausible garbage. */
const mutated = (base: Uint8Array) =>
  fc.record({
    writes: fc.array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 8
    }),
    cut: fc.option(fc.nat({ max: base.length }), { nil: undefined }),
    insert: fc.option(fc.tuple(fc.nat({ max: base.length }), fc.uint8Array({ minLength: 1, maxLength: 16 })), {
      nil: undefined
    })
  }).map(({ cut, insert, writes }) => {
    let bytes = Uint8Array.from(base)
    for (const [at, value] of writes) bytes[at] = value
    if (insert !== undefined) {
      const [at, extra] = insert
      bytes = Uint8Array.from([...bytes.subarray(0, at), ...extra, ...bytes.subarray(at)])
    }
    return cut === undefined ? bytes : bytes.subarray(0, cut)
  })

/** Valid headers with forged counts, sizes and dims: the fields a hostile sender controls. */
const forged = fc.record({
  size: fc.oneof(fc.integer({ min: -10, max: 200 }), fc.constant(0x7fffffff), fc.integer()),
  scalars: fc.oneof(fc.integer({ min: -2, max: 4 }), fc.integer()),
  arrays: fc.oneof(fc.integer({ min: -2, max: 4 }), fc.integer()),
  type: fc.constantFrom(1, 2, 3, 4, 8, 9, 10, 16, 17, 18, 19, 0, 5, 255),
  dims: fc.array(fc.oneof(fc.integer({ min: -2, max: 3 }), fc.constant(0x7fffffff), fc.integer()), {
    minLength: 0,
    maxLength: 5
  }),
  dimCount: fc.option(fc.integer(), { nil: undefined }),
  tail: fc.uint8Array({ maxLength: 64 })
}).map(({ arrays, dimCount, dims, scalars, size, tail, type }) => {
  const bytes = new Uint8Array(16 + 2 + 1 + 4 + 4 * dims.length + tail.length)
  const view = new DataView(bytes.buffer)
  view.setInt32(0, 65537, true)
  view.setInt32(4, size === 0 ? bytes.length : size, true)
  view.setInt32(8, scalars, true)
  view.setInt32(12, arrays, true)
  bytes[16] = 0x61
  bytes[17] = 0
  bytes[18] = type
  view.setInt32(19, dimCount ?? dims.length, true)
  dims.forEach((dim, i) => view.setInt32(23 + 4 * i, dim, true))
  bytes.set(tail, 23 + 4 * dims.length)
  return bytes
})

describe("decoder robustness", () => {
  it("random bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), decodeEveryWay), { numRuns: 2000 })
  })

  it("random bytes behind a valid record header", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 512 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 0, max: 8 }),
        (body, scalars, arrays) => {
          const bytes = new Uint8Array(16 + body.length)
          const view = new DataView(bytes.buffer)
          view.setInt32(0, 65537, true)
          view.setInt32(4, bytes.length, true)
          view.setInt32(8, scalars, true)
          view.setInt32(12, arrays, true)
          bytes.set(body, 16)
          decodeEveryWay(bytes)
        }
      ),
      { numRuns: 2000 }
    )
  })

  it("mutated real fitacf and grid records", () => {
    fc.assert(fc.property(mutated(record), decodeEveryWay), { numRuns: 1500 })
    fc.assert(fc.property(mutated(grid), decodeEveryWay), { numRuns: 500 })
  })

  it("forged sizes, counts and dimensions never cause a large allocation", () => {
    const before = process.memoryUsage().arrayBuffers
    fc.assert(fc.property(forged, decodeEveryWay), { numRuns: 3000 })
    // Forged fields claim up to terabytes; what was allocated stays tiny.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 1024 * 1024)
  })

  it("whatever decodes also re-encodes to the same bytes", () => {
    fc.assert(
      fc.property(mutated(record), (bytes) => {
        const { error, records } = decodeRecords(bytes)
        if (error === undefined) {
          expect(Buffer.compare(encodeRecords(records), bytes)).toBe(0)
          // Once the fields were read, the encoder writes them instead of the record's bytes.
          for (const record of records) void record.arrays
          expect(Buffer.compare(encodeRecords(records), bytes)).toBe(0)
        }
      }),
      { numRuns: 1000 }
    )
  })
})
