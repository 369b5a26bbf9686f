/**
 * The collector actor on the TestClock: scheduled runs, backoff on failure,
 * notification of repeated failures, isolation between institutions, and the
 * phases of a run as the registry shows them (a real HTTP index whose answers
 * the test holds, and a local folder the run tidies). File I/O is real, so the
 * test waits (in real time) for each run to land.
 */
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Ref, Stream, TestClock } from "effect"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { runCollector, runCollectors } from "../../src/actors/archive/collector.js"
import { ArchiveJournal } from "../../src/layers/archive/ArchiveJournal.js"
import { ArchiveSettings } from "../../src/layers/archive/ArchiveSettings.js"
import { type CollectorPhase, CollectorRegistry } from "../../src/layers/archive/CollectorRegistry.js"
import type { ArchiveConfig } from "../../src/layers/archive/config/archive-config.js"
import type { Digest } from "../../src/layers/archive/digest.js"
import { Notifier } from "../../src/layers/archive/Notifier.js"
import { TransferProgress } from "../../src/layers/archive/TransferProgress.js"
import { databaseLayer } from "../../src/layers/platform/database.js"
import { testsNeedProgram } from "../support/required-program.js"
import {
  type ArchiveTree,
  bzip2,
  configJson,
  content,
  dataName,
  decodeConfig,
  listArchive,
  scopedTree,
  writeSourceFile
} from "./archive-fixture.js"

testsNeedProgram("bzip2", "bzip2")

const realWait = (ms: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

/** Polls `check` in real time (runs do real I/O) for up to ~20 s. */
const eventually = (what: string, check: Effect.Effect<boolean, never, CollectorRegistry>) =>
  Effect.gen(function*() {
    for (let i = 0; i < 800; i++) {
      if (yield* check) return
      yield* realWait(25)
    }
    return yield* Effect.dieMessage(`timed out waiting for ${what}`)
  })

const statusOf = (institution: string) => Effect.flatMap(CollectorRegistry, (registry) => registry.get(institution))

const layerFor = (tree: ArchiveTree, config: ArchiveConfig, digests: Ref.Ref<ReadonlyArray<Digest>>) =>
  Layer.mergeAll(
    ArchiveSettings.layer(config),
    Layer.succeed(Notifier, { send: (digest) => Ref.update(digests, (all) => [...all, digest]) }),
    ArchiveJournal.Default,
    TransferProgress.silent,
    CollectorRegistry.Default
  ).pipe(Layer.provide(databaseLayer(tree.journal)))

describe("collector actor", () => {
  it.scoped("runs at once, then on every interval, one run at a time", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.now())
      const tree = yield* scopedTree
      const config = decodeConfig(configJson(tree, { schedule: "1 minute" }))
      const digests = yield* Ref.make<ReadonlyArray<Digest>>([])
      const first = dataName("bks", "rawacf", "0000")
      const second = dataName("bks", "rawacf", "0200")
      writeSourceFile(tree.source, first, bzip2(content("1")))

      yield* Effect.gen(function*() {
        const fiber = yield* Effect.fork(runCollector(config.institutions[0]!))
        yield* eventually("the first run", Effect.map(statusOf("vt"), (s) => s?.runs === 1))
        expect(yield* statusOf("vt")).toMatchObject({ phase: "idle", lastOutcome: "ok", lastCollected: 1 })
        writeSourceFile(tree.source, second, bzip2(content("2")))
        // Nothing happens before the interval has passed.
        yield* TestClock.adjust("30 seconds")
        yield* realWait(200)
        expect((yield* statusOf("vt"))?.runs).toBe(1)
        yield* TestClock.adjust("30 seconds")
        yield* eventually("the second run", Effect.map(statusOf("vt"), (s) => s?.runs === 2))
        expect(yield* statusOf("vt")).toMatchObject({ lastCollected: 1, consecutiveFailures: 0 })
        expect(listArchive(tree.archiveRoot).map((f) => path.basename(f))).toEqual([first, second])
        const summary = yield* Effect.flatMap(ArchiveJournal, (j) => j.summary(["vt"]))
        expect(summary[0]).toMatchObject({ archived: 2, lastRun: { outcome: "ok", collected: 1 } })
        yield* Fiber.interrupt(fiber)
      }).pipe(Effect.provide(layerFor(tree, config, digests)))
    }))

  it.scoped("a failing institution backs off and is notified; the others carry on", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.now())
      const tree = yield* scopedTree
      const good = configJson(tree, { schedule: "1 hour" })
      const institutions = good.institutions as Array<Record<string, unknown>>
      const config = decodeConfig({
        ...good,
        failureNotifyAfter: 1,
        institutions: [
          { ...institutions[0], id: "down", source: { kind: "local", path: path.join(tree.root, "unmounted") } },
          institutions[0]
        ]
      })
      const digests = yield* Ref.make<ReadonlyArray<Digest>>([])
      writeSourceFile(tree.source, dataName("bks", "rawacf", "0000"), bzip2(content("g")))

      yield* Effect.gen(function*() {
        const fiber = yield* Effect.fork(runCollectors(config.institutions))
        yield* eventually("the healthy run", Effect.map(statusOf("vt"), (s) => s?.runs === 1))
        expect(yield* statusOf("vt")).toMatchObject({ lastOutcome: "ok", lastCollected: 1 })
        yield* eventually("backoff", Effect.map(statusOf("down"), (s) => s?.phase === "backing off"))
        expect((yield* statusOf("down"))?.lastError).toMatch(/ENOENT/)
        // Walk the clock through the jittered retries (30 s · 2^n, at most 4).
        for (let i = 0; i < 40 && (yield* statusOf("down"))?.runs !== 1; i++) {
          yield* TestClock.adjust("1 minute")
          yield* realWait(50)
        }
        expect(yield* statusOf("down")).toMatchObject({ runs: 1, lastOutcome: "failed", consecutiveFailures: 1 })
        const sent = yield* Ref.get(digests)
        expect(sent).toEqual([
          expect.objectContaining({ institution: "down", items: [expect.objectContaining({ kind: "run-failed" })] })
        ])
        const runs = yield* Effect.flatMap(ArchiveJournal, (j) => j.summary(["down", "vt"]))
        expect(runs[0]?.lastRun).toMatchObject({ outcome: "failed" })
        expect(yield* statusOf("vt")).toMatchObject({ runs: 1, consecutiveFailures: 0, lastError: undefined })
        yield* Fiber.interrupt(fiber)
      }).pipe(Effect.provide(layerFor(tree, config, digests)))
    }))
})

/** Every phase `institution` passes through from now on, each change once; subscribed before it returns. */
const recordPhases = (institution: string) =>
  Effect.gen(function*() {
    const registry = yield* CollectorRegistry
    const phases = yield* Ref.make<ReadonlyArray<CollectorPhase>>([])
    const subscribed = yield* Deferred.make<void>()
    yield* Effect.forkScoped(
      registry.changes.pipe(
        Stream.tap(() => Deferred.succeed(subscribed, undefined)),
        Stream.runForEach((all) => {
          const phase = all.get(institution)?.phase
          return phase === undefined
            ? Effect.void
            : Ref.update(phases, (seen) => (seen.at(-1) === phase ? seen : [...seen, phase]))
        })
      )
    )
    yield* Deferred.await(subscribed)
    return phases
  })

/** A gate a request handler waits at: `arrived` once a request reached it, `open` lets it through. */
const gate = () => {
  let arrive = () => {}
  let open = () => {}
  const arrived = new Promise<void>((resolve) => (arrive = resolve))
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { arrive, arrived, open, opened }
}

/**
 * An nginx-style index of one file on 127.0.0.1. The index answers only
 * once `listing` opens; the file sends half its bytes, then the rest once
 * `download` opens.
 */
const heldIndex = (name: string, data: Buffer, mtime: Date) =>
  Effect.gen(function*() {
    const listing = gate()
    const download = gate()
    const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    const pad = (n: number) => String(n).padStart(2, "0")
    const when = `${pad(mtime.getUTCDate())}-${MONTHS[mtime.getUTCMonth()]}-${mtime.getUTCFullYear()} ${
      pad(mtime.getUTCHours())
    }:${pad(mtime.getUTCMinutes())}`
    const server = yield* Effect.acquireRelease(
      Effect.async<http.Server>((resume) => {
        const server = http.createServer((request, response) => {
          if (request.url === "/data/") {
            listing.arrive()
            void listing.opened.then(() => {
              response.writeHead(200, { "content-type": "text/html" })
              response.end(`<html><body><pre><a href="../">../</a>
<a href="${name}">${name}</a>    ${when}    ${data.length}
</pre></body></html>`)
            })
            return
          }
          if (request.url !== `/data/${name}`) {
            response.writeHead(404)
            return response.end()
          }
          response.writeHead(200, { "content-length": data.length })
          response.write(data.subarray(0, data.length >> 1))
          download.arrive()
          void download.opened.then(() => response.end(data.subarray(data.length >> 1)))
        })
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
      }),
      (server) =>
        Effect.async<void>((resume) => {
          listing.open()
          download.open()
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/data/`, listing, download }
  })

describe("collector phases", () => {
  it.scoped("listing while the index is awaited, fetching while a file downloads, then tidying and idle", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.now())
      const tree = yield* scopedTree
      const name = dataName("bks", "rawacf", "0000")
      const index = yield* heldIndex(name, bzip2(content("held")), new Date(Date.now() - 3_600_000))
      const config = decodeConfig(configJson(tree, {
        source: { kind: "http-index", url: index.url },
        disposition: "leave",
        schedule: "1 hour"
      }))
      const digests = yield* Ref.make<ReadonlyArray<Digest>>([])

      yield* Effect.gen(function*() {
        const phases = yield* recordPhases("vt")
        const fiber = yield* Effect.fork(runCollector(config.institutions[0]!))
        yield* Effect.promise(() => index.listing.arrived)
        expect(yield* statusOf("vt")).toMatchObject({ phase: "listing", nextRunAt: undefined })
        index.listing.open()
        yield* Effect.promise(() => index.download.arrived)
        expect((yield* statusOf("vt"))?.phase).toBe("fetching")
        index.download.open()
        yield* eventually("the run's end", Effect.map(statusOf("vt"), (s) => s?.runs === 1))
        expect(yield* statusOf("vt")).toMatchObject({ phase: "idle", lastOutcome: "ok", lastCollected: 1 })
        expect(yield* Ref.get(phases)).toEqual(["idle", "listing", "fetching", "tidying", "idle"])
        expect(listArchive(tree.archiveRoot).map((f) => path.basename(f))).toEqual([name])
        yield* Fiber.interrupt(fiber)
      }).pipe(Effect.provide(layerFor(tree, config, digests)))
    }))

  it.scoped("a run that tidies its local folder passes through every phase in order, as does its retry", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.now())
      const tree = yield* scopedTree
      const config = decodeConfig(configJson(tree, { disposition: "delete", schedule: "1 hour" }))
      const digests = yield* Ref.make<ReadonlyArray<Digest>>([])
      const name = dataName("bks", "rawacf", "0200")
      writeSourceFile(tree.source, name, bzip2(content("tidied")))
      // Unreadable source folder first: the run fails while listing and backs off.
      const hidden = `${tree.source}.away`
      fs.renameSync(tree.source, hidden)

      yield* Effect.gen(function*() {
        const phases = yield* recordPhases("vt")
        const fiber = yield* Effect.fork(runCollector(config.institutions[0]!))
        yield* eventually("backing off", Effect.map(statusOf("vt"), (s) => s?.phase === "backing off"))
        fs.renameSync(hidden, tree.source)
        // Past the first retry's jittered 30 s.
        yield* TestClock.adjust("1 minute")
        yield* eventually("the retried run", Effect.map(statusOf("vt"), (s) => s?.runs === 1))
        expect(yield* statusOf("vt")).toMatchObject({ phase: "idle", lastOutcome: "ok", lastCollected: 1 })
        expect(yield* Ref.get(phases)).toEqual([
          "idle",
          "listing",
          "backing off",
          "listing",
          "fetching",
          "tidying",
          "idle"
        ])
        // The tidying was real: the source file is gone, its archived copy is there.
        expect(fs.readdirSync(tree.source)).toEqual([])
        expect(listArchive(tree.archiveRoot).map((f) => path.basename(f))).toEqual([name])
        yield* Fiber.interrupt(fiber)
      }).pipe(Effect.provide(layerFor(tree, config, digests)))
    }))
})
