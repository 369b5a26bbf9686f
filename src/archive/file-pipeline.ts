/**
 * One file through the pipeline: download → hash → compress and test →
 * de-duplicate → stage → file → (tidy, batched per run). Each step ends with
 * a journal write naming the state reached, and each step can be repeated
 * from that state: a killed collector resumes without loss or duplication.
 */
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { compressToBzip2 } from "../compression/bzip2-compress.js"
import { DETECT_BYTES, detectCompression } from "../compression/detect.js"
import type { ParsedName } from "../domain/file-name.js"
import { describeUnknown } from "../domain/unknown-error.js"
import { ArchiveJournal, type JournalError } from "../layers/archive/ArchiveJournal.js"
import type { ArchiveConfig, InstitutionConfig } from "../layers/archive/config/archive-config.js"
import type { FileRow } from "../layers/archive/journal-row.js"
import { TransferProgress } from "../layers/archive/TransferProgress.js"
import {
  destinationOf,
  isHeld,
  quarantinePathOf,
  stagingPathOf,
  stagingTemporaryOf,
  type WorkFiles,
  workFilesOf,
  workFolderOf
} from "./archive-paths.js"
import { crashPoint } from "./crash-point.js"
import { copyDurably, exists, fsyncDir, fsyncFile, linkNoOverwrite, removeIfExists, sha1File } from "./durable-file.js"
import type { FileOutcome, PipelineStep } from "./file-outcome.js"
import { dateWarning } from "./file-timing.js"
import { contentKindOf, type IntegrityError, testBzip2File } from "./integrity.js"
import type { RemoteFile, SourceSession } from "./source.js"

export class PipelineStepError extends Data.TaggedError("PipelineStepError")<{
  readonly file: string
  readonly step: PipelineStep
  readonly reason: string
  /** The bytes themselves are unacceptable (not data, a bomb): refused for good, not retried. */
  readonly refuse?: boolean
}> {
  override get message(): string {
    return `${this.file}: ${this.step} failed: ${this.reason}`
  }
}

export interface FileContext {
  readonly config: ArchiveConfig
  readonly institution: InstitutionConfig
  readonly session: SourceSession
  readonly runId: string
}

const describeError = describeUnknown

/** Runs a file-system promise as pipeline step `step`. */
const io = <A>(file: string, step: PipelineStep, run: () => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: (error) => new PipelineStepError({ file, step, reason: describeError(error) }) })

const readHead = async (file: string) => {
  const handle = await fs.promises.open(file, "r")
  try {
    const head = new Uint8Array(DETECT_BYTES)
    const { bytesRead } = await handle.read(head, 0, DETECT_BYTES, 0)
    return head.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

/** The journal row of a file first seen in this run; a refused name has no archive name. */
export const freshRow = (
  institution: string,
  file: RemoteFile,
  name: ParsedName | null,
  now: number,
  runId: string
): FileRow => ({
  institution,
  name: file.name,
  state: "listed",
  archiveName: name === null ? null : name.archiveName,
  destination: null,
  sourceSize: file.size ?? null,
  sourceMtime: file.mtimeMs ?? null,
  sourceSha1: file.sha1 ?? null,
  sha1: null,
  archivedSha1: null,
  archivedSize: null,
  attempts: 0,
  lastError: null,
  note: null,
  runId,
  firstSeenAt: now,
  updatedAt: now,
  tidiedAt: null
})

/**
 * Advance `start` (fresh, failed, or left mid-way by a crash) to an end
 * state. Step failures are journalled and returned as a "failed" outcome.
 */
export const advanceFile = (context: FileContext, file: RemoteFile, name: ParsedName, start: FileRow) =>
  Effect.gen(function*() {
    const journal = yield* ArchiveJournal
    const progress = yield* TransferProgress
    const { config, institution, session, runId } = context
    const work: WorkFiles = workFilesOf(config, institution.id, name)
    const workFolder = workFolderOf(config, institution.id)
    const destination = destinationOf(config, name)
    const stages = institution.staging && !isHeld(name)
    const fail = (step: PipelineStep, reason: string) => new PipelineStepError({ file: file.name, step, reason })
    const limits = {
      maxBytes: config.maxDecompressedMegabytes * 1024 * 1024,
      maxRatio: config.maxCompressionRatio
    }
    const content = contentKindOf(name.type)
    // Up to `concurrency.global` files are tested at once: the cores are shared between their decompressors.
    const threads = Math.max(1, Math.floor(os.availableParallelism() / config.concurrency.global))
    const integrityFailure = (step: PipelineStep, error: IntegrityError) =>
      new PipelineStepError({
        file: file.name,
        step,
        reason: `${error.reason}: ${error.detail}`,
        refuse: error.refusesFile
      })

    const save = (row: FileRow, fields: Partial<FileRow>) =>
      Effect.gen(function*() {
        const next: FileRow = { ...row, ...fields, runId, updatedAt: yield* Clock.currentTimeMillis }
        yield* journal.save(next)
        return next
      })

    /** Back to the start: a work file a later step needs is gone (removed by hand, or a full disk). */
    const restart = (row: FileRow) => Effect.succeed<FileRow>({ ...row, state: "listed" })

    const download = (row: FileRow) =>
      Effect.gen(function*() {
        yield* io(file.name, "download", async () => {
          await fs.promises.mkdir(workFolder, { recursive: true })
          await Promise.all([
            removeIfExists(work.download),
            removeIfExists(work.compressing),
            removeIfExists(work.ready)
          ])
        })
        const tracker = yield* progress.track(file.name, file.size)
        const fetched = yield* session.fetch(file, work.download, tracker.update).pipe(
          Effect.mapError((error) => fail("download", error.reason)),
          Effect.ensuring(tracker.done)
        )
        const onDisk = yield* io(file.name, "download", () => fs.promises.stat(work.download))
        if (onDisk.size === 0) return yield* fail("download", "downloaded file is empty")
        if (onDisk.size !== fetched.bytes) {
          return yield* fail("download", `source reported ${fetched.bytes} bytes, ${onDisk.size} on disk`)
        }
        const sourceSha1 = institution.hash === "transfer" ? fetched.transferSha1 : file.sha1
        const next = yield* save(row, {
          state: "downloaded",
          sourceSize: onDisk.size,
          sourceMtime: file.mtimeMs ?? null,
          sourceSha1: sourceSha1 ?? null
        })
        yield* crashPoint("downloaded")
        return next
      })

    const verify = (row: FileRow) =>
      Effect.gen(function*() {
        if (!(yield* io(file.name, "hash", () => exists(work.download)))) return yield* restart(row)
        const sha1 = yield* io(file.name, "hash", () => sha1File(work.download))
        const expected = row.sourceSha1
        if (expected === null && institution.hash !== "none") {
          yield* io(file.name, "hash", () => removeIfExists(work.download))
          return yield* fail("hash", `the source published no SHA-1 (hash: ${institution.hash})`)
        }
        if (expected !== null && expected.toLowerCase() !== sha1) {
          yield* io(file.name, "hash", () => removeIfExists(work.download))
          return yield* fail("hash", `SHA-1 mismatch: source says ${expected}, received ${sha1}`)
        }
        const next = yield* save(row, { state: "verified", sha1 })
        yield* crashPoint("verified")
        return next
      })

    const compress = (row: FileRow) =>
      Effect.gen(function*() {
        if (!(yield* io(file.name, "compress", () => exists(work.download)))) return yield* restart(row)
        const head = yield* io(file.name, "compress", () => readHead(work.download))
        const compression = detectCompression(head)
        yield* io(file.name, "compress", () =>
          Promise.all([removeIfExists(work.ready), removeIfExists(work.compressing)]))
        const cleanUp = io(file.name, "test", () =>
          Promise.all([removeIfExists(work.download), removeIfExists(work.compressing), removeIfExists(work.ready)]))
        const testFailed = (candidate: string) =>
          testBzip2File(candidate, { hash: false, limits, content, threads }).pipe(
            Effect.catchTag("IntegrityError", (error) =>
              Effect.zipRight(cleanUp, Effect.fail(integrityFailure("test", error))))
          )
        let archivedSha1: string
        if (compression === "bzip2") {
          yield* testFailed(work.download)
          yield* io(file.name, "compress", async () => {
            await linkNoOverwrite(work.download, work.ready)
            await fsyncFile(work.ready)
            await fsyncDir(workFolder)
          })
          archivedSha1 = row.sha1 ?? (yield* io(file.name, "compress", () =>
            sha1File(work.ready)))
        } else {
          yield* compressToBzip2(work.download, work.compressing, compression, limits).pipe(
            Effect.catchTag("Bzip2CompressError", (error) =>
              Effect.zipRight(
                cleanUp,
                Effect.fail(
                  new PipelineStepError({
                    file: file.name,
                    step: "compress",
                    reason: `${error.reason}: ${error.detail}`,
                    refuse: error.reason === "TooLarge"
                  })
                )
              ))
          )
          yield* testFailed(work.compressing)
          yield* io(file.name, "compress", async () => {
            await fsyncFile(work.compressing)
            await fs.promises.rename(work.compressing, work.ready)
            await fsyncDir(workFolder)
          })
          archivedSha1 = yield* io(file.name, "compress", () =>
            sha1File(work.ready))
        }
        yield* crashPoint("compress-written")
        const { size } = yield* io(file.name, "compress", () =>
          fs.promises.stat(work.ready))
        const next = yield* save(row, {
          state: "compressed",
          archivedSha1,
          archivedSize: size,
          note: compression === "bzip2" ? null : `converted from ${compression === "gzip" ? "gzip" : "uncompressed"}`
        })
        yield* crashPoint("compressed-saved")
        yield* io(file.name, "compress", () =>
          removeIfExists(work.download))
        yield* crashPoint("compressed")
        return next
      })

    const quarantine = (row: FileRow, reason: string) =>
      Effect.gen(function*() {
        const target = quarantinePathOf(config, institution.id, name, row.archivedSha1 ?? "unknown")
        yield* io(file.name, "dedupe", async () => {
          await fs.promises.mkdir(path.dirname(target), { recursive: true })
          // An earlier attempt may have quarantined the same bytes under this name already.
          await linkNoOverwrite(work.ready, target)
          await fsyncDir(path.dirname(target))
        })
        const next = yield* save(row, { state: "conflict", destination: target, note: reason })
        yield* io(file.name, "dedupe", () => removeIfExists(work.ready))
        return next
      })

    /** Same name in the archive: identical, same content differently compressed, or a conflict. */
    const compareWithArchived = (row: FileRow) =>
      Effect.gen(function*() {
        const archivedSha1 = yield* io(file.name, "dedupe", () => sha1File(destination))
        if (archivedSha1 === row.archivedSha1) {
          return { same: true, reason: `identical bytes already at ${destination}` }
        }
        const ours = yield* testBzip2File(work.ready, { hash: true, limits, content, threads }).pipe(
          Effect.mapError((error) => integrityFailure("dedupe", error))
        )
        const theirs = yield* testBzip2File(destination, { hash: true, limits, content, threads }).pipe(Effect.option)
        if (Option.isSome(theirs) && theirs.value.sha1 === ours.sha1) {
          return { same: true, reason: `same content as ${destination}, compressed differently` }
        }
        return {
          same: false,
          reason: Option.isNone(theirs)
            ? `${destination} exists and does not decompress; not replaced`
            : `different content from ${destination}`
        }
      })

    const dedupe = (row: FileRow) =>
      Effect.gen(function*() {
        if (!(yield* io(file.name, "dedupe", () => exists(work.ready)))) return yield* restart(row)
        if (yield* io(file.name, "dedupe", () => exists(destination))) {
          const verdict = yield* compareWithArchived(row)
          if (!verdict.same) return yield* quarantine(row, verdict.reason)
          const next = yield* save(row, { state: "duplicate", destination, note: verdict.reason })
          yield* io(file.name, "dedupe", () => removeIfExists(work.ready))
          return next
        }
        const next = yield* save(row, { state: "publishing", destination })
        yield* crashPoint("publishing")
        return next
      })

    const stage = (row: FileRow) =>
      Effect.gen(function*() {
        // Gone after the archive link: the archive step settles it.
        if (!(yield* io(file.name, "stage", () => exists(work.ready)))) return yield* fileIntoArchive(row)
        const staged = stagingPathOf(config, name)
        const result = yield* io(file.name, "stage", async () => {
          await fs.promises.mkdir(path.dirname(staged), { recursive: true })
          return copyDurably(work.ready, stagingTemporaryOf(config, name), staged)
        })
        if (result === "exists") {
          const stagedSha1 = yield* io(file.name, "stage", () => sha1File(staged))
          if (stagedSha1 !== row.archivedSha1) {
            return yield* fail("stage", `${staged} holds different content and awaits the mirror; not replaced`)
          }
        }
        yield* crashPoint("stage-linked")
        const next = yield* save(row, { state: "staged" })
        yield* crashPoint("staged")
        return next
      })

    const fileIntoArchive = (row: FileRow): Effect.Effect<FileRow, PipelineStepError | JournalError> =>
      Effect.gen(function*() {
        const readyExists = yield* io(file.name, "archive", () => exists(work.ready))
        if (readyExists) {
          const result = yield* io(file.name, "archive", async () => {
            await fs.promises.mkdir(path.dirname(destination), { recursive: true })
            return linkNoOverwrite(work.ready, destination)
          })
          if (result === "exists") {
            const archivedSha1 = yield* io(file.name, "archive", () => sha1File(destination))
            // Not ours from an earlier attempt: someone filed a different file meanwhile.
            if (archivedSha1 !== row.archivedSha1) {
              return yield* quarantine(row, `${destination} appeared with different content`)
            }
          }
          yield* crashPoint("archive-linked")
          yield* io(file.name, "archive", async () => {
            await removeIfExists(work.ready)
            await fsyncDir(path.dirname(destination))
            await fsyncDir(workFolder)
          })
        } else {
          const present = yield* io(file.name, "archive", () => exists(destination))
          const archivedSha1 = present ? yield* io(file.name, "archive", () => sha1File(destination)) : undefined
          if (archivedSha1 !== row.archivedSha1) return yield* restart(row)
        }
        const next = yield* save(row, { state: "archived", destination })
        yield* crashPoint("archived")
        return next
      })

    /**
     * Work files the state no longer needs: a crash between a journal save
     * and the clean-up after it leaves them, and the resume removes them
     * whatever state it resumes from.
     */
    const strayFiles = (state: FileRow["state"]): ReadonlyArray<string> => {
      switch (state) {
        case "downloaded":
        case "verified":
          return [work.compressing, work.ready]
        case "compressed":
        case "publishing":
        case "staged":
          return [work.download, work.compressing]
        default:
          return []
      }
    }

    const step = (row: FileRow) =>
      Effect.zipRight(
        io(file.name, "download", () => Promise.all(strayFiles(row.state).map(removeIfExists))),
        stepFrom(row)
      )

    const stepFrom = (row: FileRow) => {
      switch (row.state) {
        case "listed":
        case "failed":
          return download(row)
        case "downloaded":
          return verify(row)
        case "verified":
          return compress(row)
        case "compressed":
          return dedupe(row)
        case "publishing":
          return stages ? stage(row) : fileIntoArchive(row)
        case "staged":
          return fileIntoArchive(row)
        default:
          return Effect.succeed(row)
      }
    }

    const isEnd = (row: FileRow) =>
      row.state === "archived" || row.state === "duplicate" || row.state === "conflict" || row.state === "refused"

    const ended = yield* Effect.iterate(start, { while: (row) => !isEnd(row), body: step }).pipe(
      Effect.catchTag("PipelineStepError", (error) =>
        Effect.gen(function*() {
          yield* io(file.name, error.step, () =>
            Promise.all([removeIfExists(work.download), removeIfExists(work.compressing), removeIfExists(work.ready)]))
            .pipe(Effect.ignore)
          const latest = Option.getOrElse(yield* journal.get(institution.id, file.name), () =>
            start)
          const failed = yield* save(latest, {
            state: error.refuse === true ? "refused" : "failed",
            attempts: latest.attempts + 1,
            lastError: `${error.step}: ${error.reason}`
          })
          return { failure: error, row: failed } as const
        }))
    )

    if ("failure" in ended && ended.failure.refuse === true) {
      return {
        kind: "refused",
        name: file.name,
        reason: `${ended.failure.step}: ${ended.failure.reason}`,
        firstTime: true
      } satisfies FileOutcome as FileOutcome
    }
    if ("failure" in ended) {
      return {
        kind: "failed",
        name: file.name,
        step: ended.failure.step,
        reason: ended.failure.reason,
        attempts: ended.row.attempts
      } satisfies FileOutcome as FileOutcome
    }
    const now = yield* Clock.currentTimeMillis
    const warning = dateWarning(name, now, config.futureGraceHours * 3_600_000)
    const row = ended
    switch (row.state) {
      case "archived":
        return {
          kind: "archived",
          name: file.name,
          destination: row.destination ?? destination,
          staged: stages,
          warning
        } as FileOutcome
      case "duplicate":
        return { kind: "duplicate", name: file.name, reason: row.note ?? "already archived", warning } as FileOutcome
      default:
        return {
          kind: "conflict",
          name: file.name,
          quarantined: row.destination ?? "",
          reason: row.note ?? "different content",
          warning
        } as FileOutcome
    }
  })
