/**
 * Real fitacf records from test/fixtures for the actor tests, decoded once.
 * The .bz2 file is decompressed with the system bzip2, outside the code under test.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import { decodeRecords } from "../../../src/dmap/decode.js"
import { encodeRecord } from "../../../src/dmap/encode.js"
import type { DmapRecord } from "../../../src/dmap/types.js"
import { fixturePath } from "../../support/fixtures.js"

export { fixturePath }

const decodeAll = (bytes: Uint8Array, expected: number): ReadonlyArray<DmapRecord> => {
  const decoded = decodeRecords(bytes)
  if (decoded.error !== undefined || decoded.records.length !== expected) {
    throw new Error(`fixture: ${decoded.records.length} records, ${String(decoded.error)}`)
  }
  return decoded.records
}

let north: ReadonlyArray<DmapRecord> | undefined
let inuvik: ReadonlyArray<DmapRecord> | undefined

/** The 100 records of pydarn-north.fitacf.bz2 (Hankasalmi, stid 10). */
export const northRecords = (): ReadonlyArray<DmapRecord> => {
  north ??= decodeAll(
    new Uint8Array(execFileSync("bzip2", ["-dc", fixturePath("pydarn-north.fitacf.bz2")], { maxBuffer: 1 << 26 })),
    100
  )
  return north
}

/** The 2 records of test.fitacf (Inuvik, stid 64). */
export const inuvikRecords = (): ReadonlyArray<DmapRecord> => {
  inuvik ??= decodeAll(new Uint8Array(fs.readFileSync(fixturePath("test.fitacf"))), 2)
  return inuvik
}

/** The encoded bytes of the first `n` north records: connex payloads. */
export const northPayloads = (n: number): ReadonlyArray<Uint8Array> => northRecords().slice(0, n).map(encodeRecord)
