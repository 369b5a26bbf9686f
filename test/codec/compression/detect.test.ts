import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as zlib from "node:zlib"
import { detectCompression } from "../../../src/compression/detect.js"
import { fixtureBytes, fixturePath } from "../dmap/fixture-files.js"

describe("detectCompression", () => {
  it("recognises the real files by content", () => {
    expect(detectCompression(fs.readFileSync(fixturePath("test.fitacf.bz2")))).toBe("bzip2")
    expect(detectCompression(zlib.gzipSync(fixtureBytes("test.fitacf")))).toBe("gzip")
    expect(detectCompression(fixtureBytes("test.fitacf"))).toBe("none")
  })

  it("needs the whole magic: short heads and near misses are plain", () => {
    expect(detectCompression(new Uint8Array(0))).toBe("none")
    expect(detectCompression(new TextEncoder().encode("BZh"))).toBe("none")
    expect(detectCompression(new TextEncoder().encode("BZh0"))).toBe("none")
    expect(detectCompression(new TextEncoder().encode("BZh9"))).toBe("bzip2")
    expect(detectCompression(Uint8Array.of(0x1f, 0x8b))).toBe("none")
    expect(detectCompression(Uint8Array.of(0x1f, 0x8b, 0x08))).toBe("gzip")
  })
})
