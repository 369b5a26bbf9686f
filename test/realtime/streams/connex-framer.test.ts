import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { type ConnexEvent, connexFrame, ConnexFramer } from "../../../src/streams/connex-framer.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { northPayloads } from "../actors/fixture-records.js"

const bzip2Missing = testsNeedProgram("bzip2", "bzip2")

const concat = (...parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** Feeds `bytes` in chunks of the given sizes (cycled) and collects every event. */
const run = (framer: ConnexFramer, bytes: Uint8Array, chunkSizes: ReadonlyArray<number> = [bytes.length]) => {
  const events: Array<ConnexEvent> = []
  let offset = 0
  let k = 0
  while (offset < bytes.length) {
    const size = Math.max(1, chunkSizes[k++ % chunkSizes.length]!)
    framer.push(bytes.subarray(offset, offset + size))
    offset += size
    for (let event = framer.next(); event !== undefined; event = framer.next()) events.push(event)
  }
  return events
}

const payloadsOf = (events: ReadonlyArray<ConnexEvent>) =>
  events.flatMap((e) => (e._tag === "Frame" ? [Array.from(e.payload)] : []))
const resyncsOf = (events: ReadonlyArray<ConnexEvent>) => events.flatMap((e) => (e._tag === "Resync" ? [e.reason] : []))

const absurdHeader = (length: number) => {
  const header = connexFrame(new Uint8Array(0))
  new DataView(header.buffer).setUint32(4, length, true)
  return header
}

// Not read when the tests are skipped for want of bzip2.
const payloads = bzip2Missing === undefined ? northPayloads(5) : []
const frames = payloads.map(connexFrame)
const expected = payloads.map((p) => Array.from(p))

describe("ConnexFramer", () => {
  it("frames real fitacf records, whole or split into any chunk sizes", () => {
    expect(payloadsOf(run(new ConnexFramer(), concat(...frames)))).toEqual(expected)
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 20 }), (sizes) => {
        const events = run(new ConnexFramer(), concat(...frames), sizes)
        expect(resyncsOf(events)).toEqual([])
        expect(payloadsOf(events)).toEqual(expected)
      }),
      { numRuns: 200 }
    )
  })

  it("a zero-length frame is legal and carries nothing", () => {
    const events = run(new ConnexFramer(), concat(frames[0]!, connexFrame(new Uint8Array(0)), frames[1]!))
    expect(events.map((e) => e._tag)).toEqual(["Frame", "Frame", "Frame"])
    expect(payloadsOf(events)).toEqual([expected[0], [], expected[1]])
  })

  it("skips garbage between frames, also when it arrives byte by byte", () => {
    const garbage = Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + 1) & 0xff).map((b) => (b === 0x49 ? 0 : b))
    const bytes = concat(frames[0]!, garbage, frames[1]!, garbage.subarray(0, 3), frames[2]!)
    for (const sizes of [[bytes.length], [1], [5, 3, 700]]) {
      const events = run(new ConnexFramer(), bytes, sizes)
      expect(payloadsOf(events)).toEqual(expected.slice(0, 3))
      expect(resyncsOf(events)).toEqual(["BadMagic", "BadMagic"])
      expect(events.filter((e) => e._tag === "Resync").map((e) => e._tag === "Resync" && e.skippedBytes)).toEqual([
        300,
        3
      ])
    }
  })

  it("starts mid-frame (stale bytes after reconnecting) and finds the next whole frame", () => {
    const bytes = concat(frames[0]!.subarray(1234), frames[1]!, frames[2]!)
    const events = run(new ConnexFramer(), bytes, [100])
    expect(payloadsOf(events)).toEqual(expected.slice(1, 3))
    expect(resyncsOf(events)).toEqual(["BadMagic"])
  })

  it("an absurd length is garbage: skipped at once, never allocated", () => {
    const framer = new ConnexFramer(64 * 1024)
    const events = run(framer, concat(frames[0]!, absurdHeader(0xfffffff0), frames[1]!))
    expect(payloadsOf(events)).toEqual(expected.slice(0, 2))
    expect(resyncsOf(events)).toEqual(["BadLength"])
    expect(framer.buffered).toBe(0)
  })

  it("a length just over the configured cap is refused; the same frame under a larger cap is accepted", () => {
    const size = payloads[0]!.length
    const empty = connexFrame(new Uint8Array(0))
    expect(resyncsOf(run(new ConnexFramer(size - 1), concat(frames[0]!, empty)))).toEqual(["BadLength"])
    expect(payloadsOf(run(new ConnexFramer(size), frames[0]!))).toEqual([expected[0]])
  })

  it("a length too short for a DMAP header, or disagreeing with the record's size, is skipped", () => {
    const short = absurdHeader(4)
    const lying = connexFrame(payloads[0]!)
    new DataView(lying.buffer).setUint32(4, payloads[0]!.length + 10, true)
    const events = run(new ConnexFramer(), concat(short, lying, frames[1]!))
    expect(resyncsOf(events)).toEqual(["BadLength", "SizeMismatch"])
    expect(payloadsOf(events)).toEqual([expected[1]])
  })

  it("a cut frame swallows the next bytes; rejecting it recovers every frame after the cut", () => {
    const cut = frames[1]!.subarray(0, 8 + Math.floor(payloads[1]!.length / 2))
    const bytes = concat(frames[0]!, cut, frames[2]!, frames[3]!, frames[4]!)
    const framer = new ConnexFramer()
    framer.push(bytes)
    const got: Array<Array<number>> = []
    const reasons: Array<string> = []
    for (let event = framer.next(); event !== undefined; event = framer.next()) {
      if (event._tag === "Resync") {
        reasons.push(event.reason)
        continue
      }
      // What a decoder would do: only the original payloads decode.
      const i = expected.findIndex((p) =>
        p.length === event.payload.length && p.every((b, k) => b === event.payload[k])
      )
      if (i < 0) framer.reject()
      else got.push(expected[i]!)
    }
    expect(got).toEqual([expected[0], expected[2], expected[3], expected[4]])
    expect(reasons).toEqual(["Rejected"])
  })

  it("payloads stay intact after later pushes move the buffer", () => {
    const framer = new ConnexFramer()
    framer.push(frames[0]!)
    const first = framer.next()
    for (let i = 0; i < 50; i++) {
      framer.push(frames[i % 5]!)
      while (framer.next() !== undefined) continue
    }
    expect(first?._tag === "Frame" && Array.from(first.payload)).toEqual(expected[0])
  })

  it("never throws and never holds more than a frame's worth on arbitrary bytes", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 5000 }),
        fc.array(fc.integer({ min: 1, max: 600 }), { minLength: 1 }),
        (junk, sizes) => {
          const framer = new ConnexFramer(4096)
          run(framer, concat(junk, frames[0]!, frames[1]!), sizes)
          // Junk may hide a plausible header that swallows bytes, but never more than the cap allows.
          expect(framer.buffered).toBeLessThanOrEqual(4096 + 8)
        }
      ),
      { numRuns: 300 }
    )
  })
})
