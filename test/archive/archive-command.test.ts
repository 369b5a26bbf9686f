/** `archive sync` and `archive status` through the real command-line parser. */
import { Command } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { runCollection } from "../../src/archive/collection.js"
import { archiveCommand } from "../../src/cli/archive-command.js"
import { databaseLayer } from "../../src/layers/platform/database.js"
import { testsNeedProgram } from "../support/required-program.js"
import {
  bzip2,
  configJson,
  content,
  dataName,
  decodeConfig,
  listArchive,
  listTree,
  provideArchive,
  scopedTree,
  writeSourceFile
} from "./archive-fixture.js"

testsNeedProgram("bzip2", "bzip2")

const cli = Command.run(archiveCommand, { name: "superdarn-hub archive", version: "test" })

/** Runs the command, returning what it printed on stdout. */
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
    yield* cli(["node", "archive", ...args]).pipe(Effect.provide(NodeContext.layer))
    return printed
  }).pipe(Effect.scoped)

describe("archive command", () => {
  it.scopedLive("sync --dry-run lists, sync collects, status summarises", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const configPath = path.join(tree.root, "archive.config.json")
      fs.writeFileSync(configPath, JSON.stringify({ ...configJson(tree), journal: tree.journal }))
      const name = dataName("bks", "rawacf", "0000")
      writeSourceFile(tree.source, name, bzip2(content("cli")))
      writeSourceFile(tree.source, "..evil", bzip2(content("x")))
      // A listing that tries to clear the screen and forge a table line.
      const hostile = "\u001b[2J\rfake.rawacf.bz2  archived\u202e"
      writeSourceFile(tree.source, hostile, bzip2(content("y")))

      const dry = yield* run("sync", "--config", configPath, "--dry-run", "vt")
      expect(dry).toMatch(/^DRY RUN vt /)
      expect(dry).toMatch(new RegExp(`${name.replaceAll(".", "\\.")}\\s+would-collect`))
      expect(listArchive(tree.archiveRoot)).toEqual([])

      const synced = yield* run("sync", "--config", configPath, "vt")
      expect(synced).toMatch(
        new RegExp(`${name.replaceAll(".", "\\.")}\\s+archived\\s+\\S+${name.replaceAll(".", "\\.")} \\(staged\\)`)
      )
      expect(synced).toMatch(/\.\.evil\s+refused\s+contains '\.\.'/)
      expect(synced).toMatch(/: ok \(3 listed: 2 refused, 1 archived; 1 tidied\)/)
      expect(synced).toContain("\\x1b[2J\\x0dfake.rawacf.bz2  archived\\u202e  refused")
      expect(synced).not.toMatch(/[\u001b\r\u202e]/)

      const status = yield* run("status", "--config", configPath)
      const [header, , row] = status.split("\n")
      expect(header).toMatch(
        /^institution\s+last run\s+outcome\s+collected\s+archived\s+duplicates\s+failed\s+conflicts\s+refused$/
      )
      expect(row).toMatch(/^vt\s+\d{4}-\d{2}-\d{2}T\S+\s+ok\s+1\s+1\s+0\s+0\s+0\s+2$/)
    }))

  it.scopedLive("an unknown institution or a bad config fails with a clear message", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const configPath = path.join(tree.root, "archive.config.json")
      fs.writeFileSync(configPath, JSON.stringify({ ...configJson(tree), journal: tree.journal }))
      const unknown = yield* Effect.flip(run("sync", "--config", configPath, "nowhere"))
      expect(unknown).toMatchObject({ _tag: "UnknownInstitution", known: ["vt"] })
      expect((unknown as Error).message).toBe(`no institution "nowhere" in the archive config; known: vt`)

      fs.writeFileSync(configPath, JSON.stringify({ ...configJson(tree), workDir: 42 }))
      const bad = yield* Effect.flip(run("status", "--config", configPath))
      expect((bad as Error).message).toMatch(/archive\.config\.json: workDir: Expected string, actual 42/)
    }))
})

describe("one run per institution across processes", () => {
  const journalLayer = (journal: string) => databaseLayer(journal)
  const plantLease = (journal: string, holder: string, expiresAt: number) =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* sql`INSERT INTO archive_leases (institution, holder, expires_at) VALUES ('vt', ${holder}, ${expiresAt})
        ON CONFLICT (institution) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at`
    }).pipe(Effect.provide(journalLayer(journal)))

  it.scopedLive("a sync while another holds the lease says who and until when, touches nothing and succeeds; after expiry the next proceeds", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const configPath = path.join(tree.root, "archive.config.json")
      fs.writeFileSync(configPath, JSON.stringify({ ...configJson(tree), journal: tree.journal }))
      const name = dataName("bks", "rawacf", "0000")
      writeSourceFile(tree.source, name, bzip2(content("lease")))
      // Create the journal's tables, then plant another machine's live lease.
      yield* run("status", "--config", configPath)
      const until = Date.now() + 600_000
      yield* plantLease(tree.journal, "othermachine:4242:abcd", until)

      const busy = yield* run("sync", "--config", configPath, "vt")
      expect(busy).toBe(
        `archive vt: another run holds it (othermachine:4242:abcd) until ${
          new Date(until).toISOString()
        }; nothing done\n`
      )
      expect(listArchive(tree.archiveRoot)).toEqual([])
      expect(listTree(tree.source)).toEqual([name])

      // The holder was killed: it stopped renewing, its lease ran out.
      yield* plantLease(tree.journal, "othermachine:4242:abcd", Date.now() - 1)
      const after = yield* run("sync", "--config", configPath, "vt")
      expect(after).toMatch(/: ok \(1 listed: 1 archived; 1 tidied\)/)
      expect(listTree(tree.source)).toEqual([])
      // Given back at the end of the run.
      const left = yield* Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        return yield* sql`SELECT holder FROM archive_leases`
      }).pipe(Effect.provide(journalLayer(tree.journal)))
      expect(left).toEqual([])
    }))

  it.scopedLive("two runs of one institution at once: one collects, the other is refused with the holder's name", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const config = decodeConfig(configJson(tree))
      for (const hhmm of ["0000", "0200", "0400", "0600"]) {
        writeSourceFile(tree.source, dataName("bks", "rawacf", hhmm), bzip2(content(hhmm)))
      }
      // Two layers over one journal file: two independent connections, as two processes would have.
      const results = yield* Effect.all([
        Effect.either(runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))),
        Effect.either(runCollection(config.institutions[0]!).pipe(provideArchive(tree, config)))
      ], { concurrency: 2 })
      const won = results.filter(Either.isRight)
      const lost = results.filter(Either.isLeft)
      expect(won).toHaveLength(1)
      expect(lost).toHaveLength(1)
      expect(lost[0]!.left).toMatchObject({
        _tag: "InstitutionBusy",
        institution: "vt",
        holder: expect.stringContaining(`:${process.pid}:`)
      })
      expect(listArchive(tree.archiveRoot)).toHaveLength(4)
    }))
})
