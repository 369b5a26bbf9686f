/**
 * writeNumber must print exactly what String(number) prints: the dump's
 * output stays byte-identical to JSON.stringify's. Float32 values, the bulk
 * of DMAP data, take the fast path; its decisions near rounding boundaries
 * (exact ties, powers of two, the plain/exponent switch) are where it
 * could go wrong, so those are sampled on purpose beside random bit patterns.
 */
import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { writeFloat32, writeInteger, writeNumber } from "../../../src/dmap/number-text.js"

const out = new Uint8Array(64)
const text = (write: (out: Uint8Array, p: number, value: number) => number, value: number): string =>
  Buffer.from(out.subarray(0, write(out, 0, value))).toString("latin1")

const float32OfBits = (bits: number): number => new Float32Array(new Uint32Array([bits]).buffer)[0]!

const expectAsString = (value: number): void => {
  expect(text(writeNumber, value)).toBe(String(value))
  if (Math.fround(value) === value && value !== 0) expect(text(writeFloat32, value)).toBe(String(value))
}

describe("writeNumber", () => {
  it("prints every finite float32 bit pattern as String does", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
        const value = float32OfBits(bits)
        if (Number.isFinite(value)) expectAsString(value)
      }),
      { numRuns: 10000 }
    )
  })

  it("prints float32 values in the ranges DMAP data lives in", () => {
    fc.assert(
      fc.property(fc.float({ min: -1e5, max: 1e5, noNaN: true, noDefaultInfinity: true }), expectAsString),
      { numRuns: 10000 }
    )
  })

  it("rounds exact ties to even as V8 does (float32 values with 17 and 18 significant digits)", () => {
    // Each binade from 2^-30 to 2^30, its first and last 300 significands:
    // short decimal expansions, ties and carries into the next digit.
    for (let exponent = 97; exponent <= 157; exponent++) {
      for (let m = 0; m < 300; m++) {
        expectAsString(float32OfBits((exponent << 23) | m))
        expectAsString(float32OfBits((exponent << 23) | (0x7fffff - m)))
      }
    }
  })

  it("switches to exponent notation where String does, including subnormal and huge float32 values", () => {
    for (
      const value of [
        1e-7,
        1.5e-7,
        9.99e-7,
        1e-6,
        0.000001234,
        1e21,
        1.5e21,
        123456789012345680000,
        3.4028234663852886e38,
        1.401298464324817e-45,
        1.1754942106924411e-38
      ]
    ) {
      expectAsString(value)
      expectAsString(Math.fround(value))
      expectAsString(-Math.fround(value))
    }
  })

  it("prints integers, doubles and -0 as String does", () => {
    for (const value of [0, -0, 1, -1, 9, 10, 99, 100, 65535, -32768, 2 ** 31, 2 ** 53 - 1, -(2 ** 53), 2 ** 60]) {
      expectAsString(value)
    }
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), expectAsString), { numRuns: 5000 })
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }), (value) => {
        expect(text(writeInteger, value)).toBe(String(value))
      })
    )
  })
})
