/**
 * The echo bodies written as bytes are exactly what the API wrote from
 * strings before (`toISOString` cut to the second, `JSON.stringify` of the
 * columns, `String(Math.round(x))` in CSV), for every kind of value the
 * columns can hold: halves and negative fractions (`-0`), counts beyond
 * 32 bits and beyond `1e21`, times before 1970, fractions of a millisecond,
 * years past 9999, day boundaries. A time outside `Date`'s range is refused
 * as `toISOString` refuses it.
 */
import { describe, expect, it } from "@effect/vitest"
import { echoSeriesCodec, type EchoValueRow } from "../../../src/layers/realtime/echo-series-codec.js"

const DAY = 86_400_000

const isoSeconds = (ms: number) => new Date(ms).toISOString().slice(0, 19) + "Z"

/** The body as the columns object, stringified: how it was written before it was written directly. */
const stringifiedJson = (rows: ReadonlyArray<EchoValueRow>): string =>
  JSON.stringify({
    timestamp: rows.map((r) => isoSeconds(r[0])),
    total_echoes: rows.map((r) => Math.round(r[1])),
    ionospheric_echoes: rows.map((r) => Math.round(r[2])),
    total_ionospheric_echoes: rows.map((r) => Math.round(r[2])),
    ground_scatter_echoes: rows.map((r) => Math.round(r[3])),
    complete: rows.map((r) => r[4] === 1)
  })

const stringCsv = (rows: ReadonlyArray<EchoValueRow>): string =>
  rows.map((r) =>
    `${isoSeconds(r[0])},${String(Math.round(r[1]))},${String(Math.round(r[2]))},${String(Math.round(r[3]))},${
      r[4] === 1 ? "true" : "false"
    }\n`
  ).join("")

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1")

/** A deterministic pseudo-random sequence (xorshift), so a failure replays. */
const random = (seed: number) => () => {
  seed ^= seed << 13
  seed ^= seed >>> 17
  seed ^= seed << 5
  return (seed >>> 0) / 2 ** 32
}

const edgeCounts = [
  0,
  -0,
  0.5,
  1.5,
  2.5,
  -0.4,
  -0.5,
  -0.6,
  -2.5,
  12.49999,
  2 ** 31 - 1,
  2 ** 31 - 0.5,
  2 ** 31,
  -(2 ** 31),
  -(2 ** 31) - 0.6,
  2 ** 53,
  1e21,
  -1.5e22,
  123456789.5
]

const edgeTimes = [
  Date.UTC(2025, 8, 27),
  Date.UTC(2025, 8, 27) - 1,
  Date.UTC(2025, 8, 27, 23, 59, 59, 999),
  Date.UTC(1980, 0, 1),
  0,
  -1,
  -0.5,
  0.5,
  -DAY - 1,
  Date.UTC(1969, 11, 31, 23, 59, 59, 999) - 0.25,
  Date.UTC(9999, 11, 31, 23, 59, 59, 999),
  Date.UTC(10000, 0, 1),
  Date.UTC(10000, 0, 1, 12, 30, 15),
  -62198755200000, // year -0001
  8.64e15,
  -8.64e15
]

describe("echo series codec", () => {
  it("writes the JSON and CSV of edge values byte for byte as the strings did", () => {
    const codec = echoSeriesCodec()
    const rows: Array<EchoValueRow> = edgeTimes.flatMap((t, i) =>
      edgeCounts.map((count, j): EchoValueRow => [
        t,
        count,
        edgeCounts[(j + i) % edgeCounts.length]!,
        -count,
        (i + j) % 2
      ])
    )
    expect(text(codec.jsonBody(rows))).toBe(stringifiedJson(rows))
    expect(text(codec.csvLines(rows))).toBe(stringCsv(rows))
  })

  it("writes random windows byte for byte, reusing its scratch across calls of any size", () => {
    const codec = echoSeriesCodec()
    const next = random(0x5eed)
    for (const size of [0, 1, 2, 1440, 10_000, 3, 40_000, 1]) {
      const start = Math.floor((next() - 0.2) * 4e12)
      const rows = Array.from({ length: size }, (_, i): EchoValueRow => [
        start + i * 60_000 + Math.floor(next() * 59_000),
        next() * 400,
        (next() - 0.1) * 300,
        next() < 0.01 ? -0.3 : next() * 100,
        next() < 0.8 ? 1 : 0
      ])
      expect(text(codec.jsonBody(rows))).toBe(stringifiedJson(rows))
      expect(text(codec.csvLines(rows))).toBe(stringCsv(rows))
    }
  })

  it("returns a buffer of its own each call", () => {
    const codec = echoSeriesCodec()
    const first = codec.jsonBody([[0, 1, 2, 3, 1]])
    const kept = text(first)
    codec.jsonBody([[DAY, 9, 9, 9, 0]])
    expect(text(first)).toBe(kept)
    expect(first.byteLength).toBe(first.buffer.byteLength)
  })

  it("refuses a time outside Date's range as toISOString does", () => {
    const codec = echoSeriesCodec()
    for (const t of [8.64e15 + 1, -8.64e15 - 1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => codec.jsonBody([[t, 1, 1, 1, 1]]), String(t)).toThrow(RangeError)
      expect(() => codec.csvLines([[t, 1, 1, 1, 1]]), String(t)).toThrow(RangeError)
    }
    // A refusal leaves the codec usable.
    expect(text(codec.jsonBody([[0, 1, 2, 3, 1]]))).toBe(stringifiedJson([[0, 1, 2, 3, 1]]))
  })
})
