/**
 * The real DMAP files of test/fixtures. Compressed ones are decompressed with
 * the system bzip2 here, independently of the code under test.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import { fixturePath } from "../../support/fixtures.js"

export { fixturePath }

export const PLAIN_FIXTURES = ["test.fitacf", "test.rawacf", "test.iqdat", "test.grid", "test.map", "test.snd"] as const
export const BZIP2_FIXTURES = [
  "test.fitacf.bz2",
  "test.rawacf.bz2",
  "test.iqdat.bz2",
  "pydarn-north.fitacf.bz2"
] as const

const cache = new Map<string, Uint8Array>()

/** The DMAP bytes of a fixture, decompressed when it is a .bz2 file. */
export const fixtureBytes = (name: string): Uint8Array => {
  let bytes = cache.get(name)
  if (bytes === undefined) {
    const file = fixturePath(name)
    bytes = new Uint8Array(
      name.endsWith(".bz2") ? execFileSync("bzip2", ["-dc", file], { maxBuffer: 1 << 28 }) : fs.readFileSync(file)
    )
    cache.set(name, bytes)
  }
  return bytes
}
