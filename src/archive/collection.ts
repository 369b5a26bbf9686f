/**
 * One collection run for one institution: list the source, take each wanted
 * and complete file through the pipeline (bounded per institution and
 * overall), tidy the source in one batch, journal the run, send the digest.
 * This is the entry point every source's tests drive.
 */
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as fs from "node:fs"
import * as path from "node:path"
import { type FileNameError, type ParsedName, parseFileName } from "../domain/file-name.js"
import { describeUnknown, isErrno } from "../domain/unknown-error.js"
import { ArchiveJournal } from "../layers/archive/ArchiveJournal.js"
import { ArchiveSettings } from "../layers/archive/ArchiveSettings.js"
import type { RunPhase } from "../layers/archive/CollectorRegistry.js"
import type { ArchiveConfig, InstitutionConfig } from "../layers/archive/config/archive-config.js"
import type { Digest, DigestItem } from "../layers/archive/digest.js"
import type { FileRow, RunOutcome } from "../layers/archive/journal-row.js"
import { Notifier } from "../layers/archive/Notifier.js"
import { destinationOf, workFolderOf } from "./archive-paths.js"
import { loadBlocklist } from "./blocklist.js"
import { crashPoint } from "./crash-point.js"
import { lowDisk } from "./disk-guard.js"
import { exists } from "./durable-file.js"
import type { FileOutcome } from "./file-outcome.js"
import { advanceFile, type FileContext, freshRow } from "./file-pipeline.js"
import { growingReason } from "./file-timing.js"
import { monthOf, writeManifest } from "./manifest.js"
import { holdLease } from "./run-lease.js"
import type { RemoteFile, SourceError, SourceSession } from "./source.js"
import { makeSource } from "./sources/source-makers.js"

export class CollectionError extends Data.TaggedError("CollectionError")<{
  readonly institution: string
  readonly reason: string
  /** False when the next scheduled run cannot do better (bad setup, refused login). */
  readonly retryable: boolean
}> {
  override get message(): string {
    return `archive ${this.institution}: ${this.reason}`
  }
}

export interface RunReport {
  readonly runId: string
  readonly institution: string
  readonly startedAt: number
  readonly finishedAt: number
  readonly outcome: RunOutcome
  readonly dryRun: boolean
  readonly files: ReadonlyArray<FileOutcome>
  readonly tidied: number
  readonly tidyError: string | undefined
  readonly digest: Digest
}

export interface CollectionOptions {
  /** List and classify only: nothing is fetched, written or journalled. */
  readonly dryRun?: boolean
  /**
   * Told as the run enters each step: listing (from the start: the lease, the
   * folders, connecting and listing), fetching (the listed files through the
   * pipeline), tidying (the source, then the manifests, the run's journal row
   * and the digest, to the end).
   */
  readonly onPhase?: (phase: RunPhase) => Effect.Effect<void>
}

const untold = (_phase: RunPhase) => Effect.void

const isWanted = (institution: InstitutionConfig, name: ParsedName) =>
  (institution.radars[name.radar] as ReadonlyArray<string> | undefined)?.includes(name.type) === true

/** Folders exist, and the ones files are hard-linked between share a file system. */
const prepareFolders = (config: ArchiveConfig, institution: InstitutionConfig) =>
  Effect.tryPromise({
    try: async () => {
      const work = workFolderOf(config, institution.id)
      for (const dir of [work, config.archiveRoot, config.stagingRoot, config.holdingDir, config.quarantineDir]) {
        await fs.promises.mkdir(dir, { recursive: true })
      }
      const workDevice = (await fs.promises.stat(work)).dev
      for (const dir of [config.archiveRoot, config.holdingDir, config.quarantineDir]) {
        if ((await fs.promises.stat(dir)).dev !== workDevice) {
          throw new Error(`workDir and ${dir} are on different file systems; files are hard-linked between them`)
        }
      }
    },
    catch: (error) =>
      new CollectionError({
        institution: institution.id,
        reason: describeUnknown(error),
        retryable: isErrno(error, "ENOSPC") || isErrno(error, "EIO")
      })
  })

const sourceFailure = (institution: string) => (error: SourceError) =>
  new CollectionError({ institution, reason: error.message, retryable: error.retryable })

/**
 * One run for `institution`, holding its lease (a dry run changes nothing and
 * takes none). Fails with `InstitutionBusy`, having touched nothing, while
 * another process's run holds it.
 */
export const runCollection = (institution: InstitutionConfig, options: CollectionOptions = {}) =>
  Effect.scoped(Effect.gen(function*() {
    yield* (options.onPhase ?? untold)("listing")
    if (options.dryRun !== true) {
      yield* holdLease(institution.id).pipe(
        Effect.catchTag(
          "JournalError",
          (error) =>
            Effect.fail(new CollectionError({ institution: institution.id, reason: error.message, retryable: true }))
        )
      )
    }
    return yield* collectOnce(institution, options)
  }))

const collectOnce = Effect.fn("Collector.runCollection")(function*(
  institution: InstitutionConfig,
  options: CollectionOptions = {}
) {
  const { config, globalPermits } = yield* ArchiveSettings
  const journal = yield* ArchiveJournal
  const notifier = yield* Notifier
  const dryRun = options.dryRun === true
  const enter = options.onPhase ?? untold
  const startedAt = yield* Clock.currentTimeMillis
  const runId = `${institution.id}-${new Date(startedAt).toISOString()}`
  const items: Array<DigestItem> = []
  const stopped = yield* Ref.make(false)
  const minFreeBytes = config.minFreeMegabytes * 1024 * 1024
  const source = makeSource(institution.source, { institution: institution.id, hash: institution.hash })
  const blocklist = yield* loadBlocklist(config.blocklist).pipe(
    Effect.mapError((error) =>
      new CollectionError({ institution: institution.id, reason: error.message, retryable: true })
    )
  )

  const saveRun = (
    outcome: RunOutcome,
    files: ReadonlyArray<FileOutcome>,
    finishedAt: number | null,
    error: string | null
  ) =>
    dryRun ? Effect.void : journal.saveRun({
      runId,
      institution: institution.id,
      startedAt,
      finishedAt,
      outcome,
      listed: files.length,
      collected: files.filter((f) => f.kind === "archived").length,
      duplicates: files.filter((f) => f.kind === "duplicate").length,
      failures: files.filter((f) => f.kind === "failed").length,
      conflicts: files.filter((f) => f.kind === "conflict").length,
      refused: files.filter((f) => f.kind === "refused").length,
      error
    })

  const refuse = (file: RemoteFile, error: FileNameError, existing: Option.Option<FileRow>, now: number) =>
    Effect.gen(function*() {
      if (Option.isSome(existing) && existing.value.state === "refused") {
        return { kind: "refused", name: file.name, reason: error.reason, firstTime: false } satisfies FileOutcome
      }
      if (!dryRun) {
        yield* journal.save({
          ...freshRow(institution.id, file, null, now, runId),
          state: "refused",
          lastError: error.reason
        })
      }
      return { kind: "refused", name: file.name, reason: error.reason, firstTime: true } satisfies FileOutcome
    })

  /** Where an existing journal row leaves this listing: resume it, start over, or nothing to do. */
  const startingRow = (existing: Option.Option<FileRow>) => {
    if (Option.isNone(existing)) return { kind: "new" } as const
    const row = existing.value
    switch (row.state) {
      case "archived":
      case "duplicate":
        // Tidied earlier yet offered again: the institution re-sent it, so check it afresh.
        return row.tidiedAt !== null && institution.disposition.kind !== "leave"
          ? { kind: "new" } as const
          : { kind: "done", state: row.state } as const
      case "conflict":
      case "refused":
        return { kind: "done", state: row.state } as const
      case "failed":
        return { kind: "retry", row } as const
      default:
        return { kind: "resume", row } as const
    }
  }

  const block = (file: RemoteFile, existing: Option.Option<FileRow>, now: number) =>
    Effect.gen(function*() {
      if (Option.isSome(existing) && existing.value.state === "blocked") {
        return { kind: "blocked", name: file.name, firstTime: false } satisfies FileOutcome
      }
      if (!dryRun) {
        yield* journal.save({
          ...freshRow(institution.id, file, null, now, runId),
          state: "blocked",
          note: "on the blocklist"
        })
      }
      return { kind: "blocked", name: file.name, firstTime: true } satisfies FileOutcome
    })

  const processOne = (session: SourceSession, file: RemoteFile) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const parsed = parseFileName(file.name)
      const existing = yield* journal.get(institution.id, file.name)
      // Before the name check, so a blocked name is reported as blocked; a file filed before it was listed
      // keeps its row (the archive holds it; `archive verify` and the inventory still see it).
      const filed = Option.isSome(existing) &&
        (existing.value.state === "archived" || existing.value.state === "duplicate")
      if (!filed && blocklist.has(file.name)) return yield* block(file, existing, now)
      if (Either.isLeft(parsed)) return yield* refuse(file, parsed.left, existing, now)
      const name = parsed.right
      if (!isWanted(institution, name)) return { kind: "unwanted", name: file.name } satisfies FileOutcome
      const start = startingRow(existing)
      if (start.kind === "done") {
        return { kind: "done-before", name: file.name, state: start.state } satisfies FileOutcome
      }
      if (start.kind !== "resume") {
        const growing = growingReason(name, file, now, config.settleSeconds * 1000, config.futureGraceHours * 3_600_000)
        if (growing !== undefined) return { kind: "waiting", name: file.name, reason: growing } satisfies FileOutcome
      }
      if (dryRun) return { kind: "would-collect", name: file.name } satisfies FileOutcome
      const row = start.kind === "new"
        ? freshRow(institution.id, file, name, now, runId)
        : start.kind === "retry"
        ? {
          ...start.row,
          sourceSha1: file.sha1 ?? null,
          sourceSize: file.size ?? null,
          sourceMtime: file.mtimeMs ?? null
        }
        : start.row
      if (institution.dedupe === "name" && start.kind !== "resume") {
        const destination = destinationOf(config, name)
        const present = yield* Effect.promise(() => exists(destination).catch(() => false))
        if (present) {
          const reason = `present in the archive by name (dedupe: name); contents assumed identical`
          yield* journal.save({ ...row, state: "duplicate", destination, note: reason, runId, updatedAt: now })
          return { kind: "duplicate", name: file.name, reason, warning: undefined } satisfies FileOutcome
        }
      }
      if (yield* Ref.get(stopped)) return { kind: "stopped", name: file.name } satisfies FileOutcome
      const low = yield* Effect.promise(() =>
        lowDisk([workFolderOf(config, institution.id), config.archiveRoot], minFreeBytes).catch(() => undefined)
      )
      if (low !== undefined) {
        if (!(yield* Ref.getAndSet(stopped, true))) {
          items.push({
            kind: "low-disk",
            file: undefined,
            detail: `${low.dir} has ${
              (low.free / 1048576).toFixed(0)
            } MB free, below ${config.minFreeMegabytes} MB; collecting stopped`
          })
        }
        return { kind: "stopped", name: file.name } satisfies FileOutcome
      }
      const context: FileContext = { config, institution, session, runId }
      return yield* globalPermits.withPermits(1)(advanceFile(context, file, name, row))
    })

  const digestItemsOf = (outcome: FileOutcome): ReadonlyArray<DigestItem> => {
    switch (outcome.kind) {
      case "archived":
      case "duplicate":
      case "conflict": {
        const found: Array<DigestItem> = []
        if (outcome.kind === "conflict") {
          found.push({
            kind: "conflict",
            file: outcome.name,
            detail: `${outcome.reason}; quarantined as ${outcome.quarantined}`
          })
        }
        if (outcome.warning === "earlier-year") {
          found.push({ kind: "earlier-year", file: outcome.name, detail: "dated in an earlier year than now (UTC)" })
        }
        if (outcome.warning === "future") {
          found.push({
            kind: "future",
            file: outcome.name,
            detail: `dated more than ${config.futureGraceHours} h in the future`
          })
        }
        return found
      }
      case "refused":
        return outcome.firstTime ? [{ kind: "refused", file: outcome.name, detail: outcome.reason }] : []
      case "blocked":
        return outcome.firstTime
          ? [{ kind: "blocked", file: outcome.name, detail: "listed as known-bad; not fetched" }]
          : []
      case "failed":
        return outcome.attempts % config.failureNotifyAfter === 0
          ? [{
            kind: "repeated-failure",
            file: outcome.name,
            detail: `${outcome.attempts} attempts; last: ${outcome.step}: ${outcome.reason}`
          }]
          : []
      default:
        return []
    }
  }

  const tidy = (session: SourceSession) =>
    Effect.gen(function*() {
      if (institution.disposition.kind === "leave" || dryRun) return { tidied: 0, error: undefined }
      const pending = yield* journal.pendingTidy(institution.id)
      if (pending.length === 0) return { tidied: 0, error: undefined }
      const files: ReadonlyArray<RemoteFile> = pending.map((row) => ({
        name: row.name,
        size: row.sourceSize ?? undefined,
        mtimeMs: row.sourceMtime ?? undefined,
        sha1: row.sourceSha1 ?? undefined
      }))
      const result = yield* session.tidy(files, institution.disposition).pipe(Effect.either)
      if (Either.isLeft(result)) return { tidied: 0, error: result.left.message }
      yield* crashPoint("tidy-done")
      yield* journal.markTidied(institution.id, pending.map((row) => row.name), yield* Clock.currentTimeMillis)
      yield* crashPoint("tidied")
      return { tidied: pending.length, error: undefined as string | undefined }
    })

  /** Each (folder, month) this run filed into the archive gets its `<yyyymm>.hashes` rewritten. */
  const rewriteManifests = (files: ReadonlyArray<FileOutcome>) =>
    Effect.gen(function*() {
      const touched = new Map<string, { folder: string; month: string }>()
      const archiveRoot = path.resolve(config.archiveRoot) + path.sep
      for (const file of files) {
        if (file.kind !== "archived" || !path.resolve(file.destination).startsWith(archiveRoot)) continue
        const month = monthOf(path.basename(file.destination))
        if (month === undefined) continue
        const folder = path.dirname(file.destination)
        touched.set(`${folder}\0${month}`, { folder, month })
      }
      for (const { folder, month } of touched.values()) {
        const known = yield* journal.filedIn(folder)
        yield* writeManifest(folder, month, (file) => known.get(file)).pipe(
          Effect.catchTag("ManifestError", (error) =>
            Effect.logWarning(error.message).pipe(Effect.annotateLogs({ institution: institution.id })))
        )
      }
    }).pipe(
      Effect.catchTag("JournalError", (error) =>
        Effect.logWarning(`manifests not rewritten: ${error.message}`))
    )

  const run = Effect.scoped(
    Effect.gen(function*() {
      if (!dryRun) yield* prepareFolders(config, institution)
      yield* saveRun("running", [], null, null)
      const session = yield* source.open.pipe(Effect.mapError(sourceFailure(institution.id)))
      const listed = yield* session.list.pipe(Effect.mapError(sourceFailure(institution.id)))
      const sorted = [...listed].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      yield* enter("fetching")
      const files = yield* Effect.forEach(sorted, (file) => processOne(session, file), {
        concurrency: config.concurrency.perInstitution
      })
      yield* enter("tidying")
      const tidied = yield* tidy(session)
      return { files, ...tidied }
    })
  )

  const result = yield* run.pipe(
    Effect.catchTag(
      "JournalError",
      (error) =>
        Effect.fail(new CollectionError({ institution: institution.id, reason: error.message, retryable: true }))
    ),
    Effect.tapError((error) =>
      Effect.gen(function*() {
        yield* saveRun("failed", [], yield* Clock.currentTimeMillis, error.reason).pipe(Effect.ignore)
      })
    )
  )

  yield* rewriteManifests(result.files)
  for (const outcome of result.files) items.push(...digestItemsOf(outcome))
  const digest: Digest = { institution: institution.id, runId, items }
  const finishedAt = yield* Clock.currentTimeMillis
  const outcome: RunOutcome = (yield* Ref.get(stopped)) ? "low-disk" : "ok"
  yield* saveRun(outcome, result.files, finishedAt, result.error ?? null).pipe(
    Effect.mapError((error) =>
      new CollectionError({ institution: institution.id, reason: error.message, retryable: true })
    )
  )
  if (!dryRun && items.length > 0) yield* notifier.send(digest)
  return {
    runId,
    institution: institution.id,
    startedAt,
    finishedAt,
    outcome,
    dryRun,
    files: result.files,
    tidied: result.tidied,
    tidyError: result.error,
    digest
  } satisfies RunReport
})
