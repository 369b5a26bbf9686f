/**
 * The collector actor on the TestClock: scheduled runs, backoff on failure,
 * notification of repeated failures, and isolation between institutions.
 * File I/O is real, so the test waits (in real time) for each run to land.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Ref, TestClock } from "effect"
import * as path from "node:path"
import { runCollector, runCollectors } from "../../src/actors/archive/collector.js"
import { ArchiveJournal } from "../../src/layers/archive/ArchiveJournal.js"
import { ArchiveSettings } from "../../src/layers/archive/ArchiveSettings.js"
import { CollectorRegistry } from "../../src/layers/archive/CollectorRegistry.js"
import type { ArchiveConfig } from "../../src/layers/archive/config/archive-config.js"
import type { Digest } from "../../src/layers/archive/digest.js"
import { Notifier } from "../../src/layers/archive/Notifier.js"
import { TransferProgress } from "../../src/layers/archive/TransferProgress.js"
import { databaseLayer } from "../../src/layers/platform/database.js"
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
        expect(yield* statusOf("vt")).toMatchObject({ phase: "waiting", lastOutcome: "ok", lastCollected: 1 })
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
        yield* eventually("backoff", Effect.map(statusOf("down"), (s) => s?.phase === "backoff"))
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
