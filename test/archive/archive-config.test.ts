import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { decodeArchiveConfig, loadArchiveConfig } from "../../src/layers/archive/config/load-archive-config.js"

const base = {
  archiveRoot: "/data/archive",
  stagingRoot: "/data/staging",
  holdingDir: "/data/holding",
  quarantineDir: "/data/quarantine",
  workDir: "/data/work",
  institutions: [] as Array<unknown>
}

const institution = (fields: Record<string, unknown> = {}) => ({
  id: "vt",
  name: "Virginia Tech",
  radars: { bks: ["rawacf", "iqdat", "scdlog"] },
  source: { kind: "local", path: "/mnt/vt" },
  hash: "none",
  disposition: "delete",
  staging: true,
  schedule: "*/30 * * * *",
  ...fields
})

const errorOf = (json: unknown) =>
  Effect.runSync(Effect.either(decodeArchiveConfig(json, "archive.config.json"))).pipe(
    Either.match({ onLeft: (error) => error.message, onRight: () => "decoded" })
  )

describe("archive config", () => {
  it.effect("decodes the example file with defaults filled in", () =>
    Effect.gen(function*() {
      const config = yield* loadArchiveConfig(path.join(import.meta.dirname, "../../archive.config.example.json"))
      expect(config.layout).toBe("{year}/{type}/{radar}")
      expect(config.concurrency.global).toBeGreaterThan(0)
      const kinds = config.institutions.map((i) => i.source.kind)
      expect(kinds).toEqual(expect.arrayContaining(["local", "inbox", "http-index", "ftp"]))
      const ftp = config.institutions.find((i) => i.source.kind === "ftp")!
      expect(ftp.disposition).toEqual({ kind: "leave" })
    }))

  it("parses dispositions and schedules", () => {
    const decoded = Effect.runSync(decodeArchiveConfig({
      ...base,
      institutions: [
        institution({ disposition: "move:/backup/vt", schedule: "15 minutes" }),
        institution({ id: "sas", schedule: "0 */2 * * *", disposition: "leave" })
      ]
    }, "x"))
    expect(decoded.institutions[0]!.disposition).toEqual({ kind: "move", backupDir: "/backup/vt" })
    expect(decoded.institutions[0]!.schedule).toEqual({ kind: "interval", millis: 900_000 })
    expect(decoded.institutions[1]!.schedule).toEqual({ kind: "cron", expression: "0 */2 * * *" })
  })

  it("reports each mistake with its path", () => {
    expect(errorOf({ ...base, institutions: [institution({ schedule: "every tuesday" })] })).toMatch(
      /institutions\.0\.schedule: must be a cron expression or an interval/
    )
    expect(errorOf({ ...base, institutions: [institution({ disposition: "shred" })] })).toMatch(
      /institutions\.0\.disposition: must be "delete", "leave" or "move:<backupDir>", got "shred"/
    )
    expect(errorOf({ ...base, institutions: [institution({ radars: { BKS: ["rawacf"] } })] })).toMatch(
      /institutions\.0\.radars\.BKS: .*\^\[a-z\]\{3\}\$/
    )
    expect(errorOf({ ...base, institutions: [institution({ radars: { bks: ["rawacf", "movies"] } })] })).toMatch(
      /institutions\.0\.radars\.bks\.1/
    )
    expect(errorOf({ ...base, institutions: [institution({ id: "../etc" })] })).toMatch(/institution id must be/)
    expect(errorOf({ ...base, institutions: [institution(), institution()] })).toMatch(
      /institutions\.1\.id: duplicate institution id "vt"/
    )
    expect(errorOf({ ...base, institutions: [institution({ source: { kind: "ftp", host: "ftp.example.org" } })] }))
      .toMatch(/disposition: a ftp source's files can only be left in place/)
    expect(errorOf({ ...base, institutions: [institution({ source: { kind: "http-index", url: "ftp://x" } })] }))
      .toMatch(/source.*http:\/\/ or https:\/\//)
    expect(errorOf({ ...base, institutions: [institution({ source: { kind: "carrier-pigeon" } })] })).toMatch(
      /institutions\.0\.source\.kind/
    )
    expect(errorOf({ ...base, archiveRot: "/typo" })).toMatch(/archiveRot/)
    expect(errorOf({ ...base, layout: "{year}/../{radar}" })).toMatch(/layout cannot contain/)
  })

  it.effect("reports unreadable files and bad JSON", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sdh-"))
      try {
        const file = path.join(dir, "archive.config.json")
        fs.writeFileSync(file, "{ not json")
        const bad = yield* Effect.flip(loadArchiveConfig(file))
        expect(bad.message).toMatch(/not valid JSON/)
        const missing = yield* Effect.flip(loadArchiveConfig(path.join(dir, "nope.json")))
        expect(missing.message).toMatch(/cannot read/)
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    }))
})
