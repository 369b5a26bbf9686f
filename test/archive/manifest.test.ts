/**
 * Monthly hash manifests and `archive verify`, through the real command-line
 * parser: `archive sync` writes `<yyyymm>.hashes` equal to `sha1sum` of the
 * archived files; `verify` finds a flipped byte, a deleted file and an extra
 * one, changes nothing, and fails (exit status 1 from the CLI root).
 */
import { Command } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { archiveCommand } from "../../src/cli/archive-command.js"
import { testsNeedProgram } from "../support/required-program.js"
import { bzip2, configJson, content, dataName, listTree, scopedTree, writeSourceFile } from "./archive-fixture.js"

testsNeedProgram("bzip2", "bzip2")

const cli = Command.run(archiveCommand, { name: "superdarn-hub archive", version: "test" })

const run = (...args: Array<string>) =>
  Effect.gen(function*() {
    let printed = ""
    const original = process.stdout.write.bind(process.stdout)
    yield* Effect.acquireRelease(
      Effect.sync(() => {
        process.stdout.write = ((chunk: string | Uint8Array) => {
          printed += chunk.toString()
          return true
        }) as typeof process.stdout.write
      }),
      () => Effect.sync(() => (process.stdout.write = original))
    )
    const exit = yield* Effect.exit(cli(["node", "archive", ...args]).pipe(Effect.provide(NodeContext.layer)))
    return { printed, exit }
  }).pipe(Effect.scoped)

describe("monthly manifests and archive verify", () => {
  it.scopedLive("sync writes sha1sum-equal manifests; verify catches a flipped byte, a deleted and an extra file", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const configPath = path.join(tree.root, "archive.config.json")
      fs.writeFileSync(configPath, JSON.stringify({ ...configJson(tree), journal: tree.journal }))
      const names = ["0000", "0200", "0400"].map((hhmm) => dataName("bks", "rawacf", hhmm, "20260105"))
      const otherMonth = dataName("bks", "rawacf", "0000", "20260201")
      for (const name of [...names, otherMonth]) writeSourceFile(tree.source, name, bzip2(content(name)))

      const synced = yield* run("sync", "--config", configPath, "vt")
      expect(synced.exit._tag).toBe("Success")
      const folder = path.join(tree.archiveRoot, "2026", "rawacf", "bks")
      expect(fs.readdirSync(folder).filter((f) => f.endsWith(".hashes")).sort()).toEqual([
        "202601.hashes",
        "202602.hashes"
      ])
      const sha1sum = spawnSync("sh", ["-c", "sha1sum -- 202601*.bz2"], { cwd: folder }).stdout.toString()
      expect(fs.readFileSync(path.join(folder, "202601.hashes"), "utf8")).toBe(sha1sum)
      expect(sha1sum.split("\n").filter(Boolean)).toHaveLength(3)
      expect(listTree(tree.archiveRoot).some((f) => f.includes(".partial"))).toBe(false)

      const clean = yield* run("verify", "--config", configPath)
      expect(clean.exit._tag).toBe("Success")
      expect(clean.printed).toMatch(/2026\/rawacf\/bks\/202601\.hashes: 3 listed, ok/)
      expect(clean.printed).toMatch(/2 manifests, 0 differences\n$/)

      // Bit rot, a loss and a stray file.
      const rotten = path.join(folder, names[0]!)
      const bytes = fs.readFileSync(rotten)
      bytes[100]! ^= 0x01
      fs.writeFileSync(rotten, bytes)
      fs.unlinkSync(path.join(folder, names[1]!))
      const extra = dataName("bks", "rawacf", "0600", "20260105")
      fs.writeFileSync(path.join(folder, extra), bzip2(content("stray")))
      const before = listTree(tree.archiveRoot).map((f) => [f, fs.readFileSync(path.join(tree.archiveRoot, f))])

      const dirty = yield* run("verify", "--config", configPath, "--month", "202601", "--institution", "vt")
      expect(dirty.exit._tag).toBe("Failure")
      expect(dirty.printed).toContain(`  missing  ${names[1]}`)
      expect(dirty.printed).toContain(`  changed  ${names[0]}`)
      expect(dirty.printed).toContain(`  extra    ${extra}`)
      expect(dirty.printed).toMatch(/1 manifests, 3 differences\n$/)
      expect(String(dirty.exit._tag === "Failure" ? dirty.exit.cause : "")).toMatch(
        /3 differences between the archive and 1 manifest/
      )
      // Nothing changed by looking.
      expect(listTree(tree.archiveRoot).map((f) => [f, fs.readFileSync(path.join(tree.archiveRoot, f))])).toEqual(
        before
      )

      const otherOnly = yield* run("verify", "--config", configPath, "--month", "202602")
      expect(otherOnly.exit._tag).toBe("Success")
    }))
})
