/** The `ftp` source against a real ftp-srv on 127.0.0.1 with `.sha1` sidecars. */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { FtpSrv } from "ftp-srv"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { runCollection } from "../../src/archive/collection.js"
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

const sha1 = (data: Uint8Array) => createHash("sha1").update(data).digest("hex")

const silentLog = {
  info: () => {},
  warn: () => {},
  error: () => {},
  debug: () => {},
  trace: () => {},
  child() {
    return this
  }
}

/** ftp-srv serving `root` to user "collector"; passive ports on 127.0.0.1. */
const ftpServer = (root: string) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const server = new FtpSrv({
        url: "ftp://127.0.0.1:0",
        pasv_url: "127.0.0.1",
        pasv_min: 40000,
        pasv_max: 60000,
        greeting: "test server",
        log: silentLog
      })
      server.on(
        "login",
        (
          { username, password }: { username: string; password: string },
          resolve: (options: { root: string }) => void,
          reject: (error: Error) => void
        ) => {
          if (username === "collector" && password === "secret") resolve({ root })
          else reject(new Error("bad login"))
        }
      )
      await server.listen()
      return server
    }),
    (server) => Effect.promise(() => server.close().catch(() => undefined))
  ).pipe(Effect.map((server) => ((server as unknown as { server: { address(): AddressInfo } }).server.address()).port))

describe("ftp source", () => {
  it.scopedLive("verifies each file against its sidecar and leaves the server's files in place", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const good = dataName("bks", "rawacf", "0000")
      const mismatch = dataName("bks", "rawacf", "0200")
      const noSidecar = dataName("bks", "rawacf", "0400")
      const otherName = dataName("bks", "rawacf", "0600")
      const goodData = bzip2(content("good"))
      writeSourceFile(tree.source, good, goodData)
      writeSourceFile(tree.source, `${good}.sha1`, Buffer.from(`${sha1(goodData)}  ${good}\n`))
      writeSourceFile(tree.source, mismatch, bzip2(content("tampered")))
      writeSourceFile(
        tree.source,
        `${mismatch}.sha1`,
        Buffer.from(`${sha1(bzip2(content("original")))}  ${mismatch}\n`)
      )
      writeSourceFile(tree.source, noSidecar, bzip2(content("bare")))
      // The right hash, but the sidecar names another file: not this file's hash.
      const otherData = bzip2(content("other"))
      writeSourceFile(tree.source, otherName, otherData)
      writeSourceFile(tree.source, `${otherName}.sha1`, Buffer.from(`${sha1(otherData)}  ${good}\n`))
      const port = yield* ftpServer(tree.source)
      const config = decodeConfig(configJson(tree, {
        source: { kind: "ftp", host: "127.0.0.1", port, user: "collector", password: "secret", path: "/" },
        hash: "sidecar",
        disposition: "leave",
        staging: false
      }))

      const report = yield* runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
      const outcomes = new Map(report.files.map((f) => [f.name, f]))
      expect(report.files).toHaveLength(4)
      expect(outcomes.get(good)).toMatchObject({ kind: "archived", staged: false })
      expect(outcomes.get(mismatch)).toMatchObject({
        kind: "failed",
        step: "hash",
        reason: expect.stringMatching(/^SHA-1 mismatch/)
      })
      expect(outcomes.get(noSidecar)).toMatchObject({
        kind: "failed",
        step: "hash",
        reason: expect.stringContaining("no SHA-1")
      })
      expect(outcomes.get(otherName)).toMatchObject({
        kind: "failed",
        step: "hash",
        reason: expect.stringContaining("no SHA-1")
      })
      expect(listArchive(tree.archiveRoot).map((f) => path.basename(f))).toEqual([good])
      expect(fs.readFileSync(path.join(tree.archiveRoot, listArchive(tree.archiveRoot)[0]!))).toEqual(goodData)
      expect(listTree(tree.stagingRoot)).toEqual([])
      expect(listTree(tree.workDir)).toEqual([])
      expect(listTree(tree.source)).toHaveLength(7)
    }))

  it.scopedLive("a refused login fails the run as not retryable", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const port = yield* ftpServer(tree.source)
      const config = decodeConfig(configJson(tree, {
        source: { kind: "ftp", host: "127.0.0.1", port, user: "collector", password: "wrong" },
        hash: "sidecar",
        disposition: "leave"
      }))
      const error = yield* Effect.flip(runCollection(config.institutions[0]!).pipe(provideArchive(tree, config)))
      expect(error).toMatchObject({ _tag: "CollectionError", retryable: false })
      expect(error.message).toMatch(/connect failed/)
    }))
})
