import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { parseFileName } from "../../src/domain/file-name.js"

const parsed = (name: string) => Either.getOrThrow(parseFileName(name))
const refusal = (name: string) => {
  const result = parseFileName(name)
  if (Either.isRight(result)) throw new Error(`expected ${JSON.stringify(name)} to be refused`)
  return result.left.reason
}

describe("parseFileName", () => {
  it("parses a DMAP data file with and without a channel", () => {
    const plain = parsed("20240131.2201.00.bks.rawacf.bz2")
    expect(plain).toMatchObject({
      family: "data",
      radar: "bks",
      type: "rawacf",
      channel: undefined,
      year: 2024,
      month: 1,
      day: 31,
      compression: "bz2",
      archiveName: "20240131.2201.00.bks.rawacf.bz2"
    })
    expect(plain.startMs).toBe(Date.UTC(2024, 0, 31, 22, 1, 0))
    expect(parsed("20240131.2201.00.fhe.b.iqdat.gz")).toMatchObject({
      channel: "b",
      compression: "gz",
      archiveName: "20240131.2201.00.fhe.b.iqdat.bz2"
    })
    expect(parsed("20240131.2201.00.wal.fitacf")).toMatchObject({
      compression: "none",
      archiveName: "20240131.2201.00.wal.fitacf.bz2"
    })
  })

  it("parses Borealis names and daily logs", () => {
    expect(parsed("20230601.1400.00.sas.0.rawacf.hdf5.bz2")).toMatchObject({
      family: "borealis",
      slice: 0,
      type: "rawacf.hdf5",
      archiveName: "20230601.1400.00.sas.0.rawacf.hdf5.bz2"
    })
    expect(parsed("20240101.bks.errlog")).toMatchObject({
      family: "log",
      type: "errlog",
      startMs: Date.UTC(2024, 0, 1),
      archiveName: "20240101.bks.errlog.bz2"
    })
    expect(parsed("20240101.fhe.scdlog.gz").type).toBe("scdlog")
  })

  it("refuses names that could escape a folder, saying why", () => {
    expect(refusal("../20240101.0000.00.bks.rawacf.bz2")).toContain("path separator")
    expect(refusal("20240101.0000.00..bks.rawacf.bz2")).toContain("'..'")
    expect(refusal("..")).toContain("'..'")
    expect(refusal("sub/20240101.0000.00.bks.rawacf.bz2")).toContain("path separator")
    expect(refusal("x\\20240101.0000.00.bks.rawacf.bz2")).toContain("path separator")
    expect(refusal("20240101.0000.00.bks.rawacf.bz2\0")).toContain("NUL")
    expect(refusal(".20240101.0000.00.bks.rawacf.bz2")).toContain("starts with a dot")
    expect(refusal("")).toContain("empty")
    expect(refusal(`${"2".repeat(100)}.bks.rawacf`)).toContain("longer")
  })

  it("refuses anything outside the strict patterns", () => {
    for (
      const name of [
        "20240101.0000.00.BKS.rawacf.bz2", // upper-case radar
        "20240101.0000.00.bks.j.rawacf.bz2", // channel outside a-i
        "20240101.0000.00.bks.rawacf.zip",
        "20240101.0000.00.bks.exe",
        "20240101.0000.00.bks.rawacf.bz2.sha1",
        "20241301.0000.00.bks.rawacf.bz2", // month 13
        "20240431.0000.00.bks.rawacf.bz2", // 31 April
        "20240101.2400.00.bks.rawacf.bz2",
        "20240101.bks.rawacf", // data type with a log's shape
        "2024010.0000.00.bks.rawacf",
        "20240101.0000.00.bks.rawacf.bz2 ",
        "README"
      ]
    ) {
      expect(refusal(name), name).toMatch(/not a SuperDARN|not a valid date/)
    }
  })
})
