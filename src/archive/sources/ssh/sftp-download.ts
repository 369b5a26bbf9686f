/**
 * SFTP download with many reads in flight, like `sftp`/`fastGet`, so a long
 * round trip (South Africa, Japan) does not cap throughput at one chunk per
 * round trip, plus what fastGet lacks: an institution's bandwidth cap, a
 * stall timeout, interruption, and resuming from a partial copy left by a
 * dropped connection.
 *
 * The chunk loop is plain callbacks: per-chunk effects (a race and a timer
 * each) made it several times slower than fastGet.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as path from "node:path"
import type { SFTPWrapper, Stats } from "ssh2"
import { describeUnknown } from "../../../domain/unknown-error.js"
import type { FetchedFile, RemoteFile, SourceError } from "../../source.js"
import type { BandwidthBudget } from "./bandwidth-budget.js"
import { sftpFailure, sftpRequest, SshFailure } from "./ssh-connection.js"
import type { SshConnection, SshLink } from "./ssh-connection.js"
import { requireSafeName } from "./ssh-remote-name.js"

const CHUNK_BYTES = 32 * 1024
const IN_FLIGHT = 32

export interface SftpDownloadOptions {
  readonly budget: BandwidthBudget | undefined
  readonly onProgress: ((bytes: number) => void) | undefined
}

export interface SftpDownload {
  readonly bytes: number
  /** Where this attempt started; above 0 when it continued a partial copy. */
  readonly resumedAt: number
}

const localFailure = (what: string, cause: unknown) =>
  new SshFailure({ reason: `${what}: ${describeUnknown(cause)}`, lost: false, retryable: true })

/** Bytes already in `destination` worth keeping: a strict prefix of the remote size. */
const resumableBytes = (destination: string, remoteSize: number): number => {
  try {
    const size = fs.statSync(destination).size
    return size > 0 && size < remoteSize ? size : 0
  } catch {
    return 0
  }
}

interface CopyJob {
  readonly sftp: SFTPWrapper
  readonly handle: Buffer
  readonly fd: number
  readonly remotePath: string
  readonly destination: string
  readonly size: number
  readonly start: number
  readonly stallTimeout: Duration.Duration
  readonly options: SftpDownloadOptions
}

/**
 * Copy bytes `start..size` with IN_FLIGHT reads outstanding. Chunks land out
 * of order; `prefix` tracks the unbroken part, which is all a later attempt
 * may resume from. It settles only once no write is pending, so the file is
 * quiet when the caller trims it.
 */
const copyChunks = (job: CopyJob, progress: { prefix: number }) =>
  Effect.async<void, SshFailure>((resume) => {
    const { sftp, handle, fd, size, start, options } = job
    const chunkCount = Math.ceil((size - start) / CHUNK_BYTES)
    const landed = new Uint8Array(chunkCount)
    const poolSize = Math.min(IN_FLIGHT, chunkCount)
    const pool: Array<Buffer> = Array.from({ length: poolSize }, () => Buffer.allocUnsafe(CHUNK_BYTES))
    const stallMillis = Duration.toMillis(job.stallTimeout)
    let prefixChunks = 0
    let written = start
    let next = 0
    let inFlight = 0
    let pendingWrites = 0
    let outcome: SshFailure | "done" | undefined
    let settled = false
    let stall: NodeJS.Timeout | undefined

    const settle = () => {
      if (settled || outcome === undefined || pendingWrites > 0) {
        return
      }
      settled = true
      clearTimeout(stall)
      resume(outcome === "done" ? Effect.void : Effect.fail(outcome))
    }
    const fail = (failure: SshFailure) => {
      if (outcome === undefined) outcome = failure
      settle()
    }
    const armStall = () => {
      clearTimeout(stall)
      stall = setTimeout(() =>
        fail(
          new SshFailure({ reason: `no data for ${Duration.format(job.stallTimeout)}`, lost: true, retryable: true })
        ), stallMillis)
    }

    const pump = () => {
      while (outcome === undefined && inFlight < IN_FLIGHT && next < chunkCount) {
        const position = start + next * CHUNK_BYTES
        const length = Math.min(CHUNK_BYTES, size - position)
        if (options.budget !== undefined && !options.budget.tryTake(length)) {
          options.budget.wait(pump)
          return
        }
        inFlight++
        read(next++, pool.pop()!, position, length, 0)
      }
      if (outcome === undefined && inFlight === 0 && next >= chunkCount) {
        outcome = "done"
        settle()
      }
    }

    const read = (index: number, buffer: Buffer, position: number, length: number, filled: number) =>
      sftp.read(handle, buffer, filled, length - filled, position + filled, (error, bytes) => {
        if (outcome !== undefined) {
          return
        }
        if (error) return fail(sftpFailure(error))
        if (bytes === 0) {
          return fail(
            new SshFailure({
              reason: `${job.remotePath} ended at ${
                position + filled
              } bytes, expected ${size}: it changed during the download`,
              lost: false,
              retryable: true
            })
          )
        }
        armStall()
        // A server may answer with fewer bytes than asked; ask again for the rest.
        if (filled + bytes < length) return read(index, buffer, position, length, filled + bytes)
        pendingWrites++
        fs.write(fd, buffer, 0, length, position, (writeError) => {
          pendingWrites--
          pool.push(buffer)
          inFlight--
          if (writeError) return fail(localFailure(`cannot write ${job.destination}`, writeError))
          landed[index] = 1
          while (prefixChunks < chunkCount && landed[prefixChunks] === 1) prefixChunks++
          progress.prefix = Math.min(size, start + prefixChunks * CHUNK_BYTES)
          written += length
          options.onProgress?.(written)
          if (outcome === undefined) pump()
          else settle()
        })
      })

    armStall()
    pump()
    return Effect.async<void>((resumeCancel) => {
      if (outcome === undefined) outcome = new SshFailure({ reason: "interrupted", lost: false, retryable: true })
      const waitForWrites = () => (pendingWrites > 0 ? setImmediate(waitForWrites) : resumeCancel(Effect.void))
      clearTimeout(stall)
      settled = true
      waitForWrites()
    })
  })

/**
 * Copy `remotePath` to `destination`. A partial `destination` (shorter than
 * the remote file) is continued rather than restarted; the pipeline's SHA-1
 * check catches a remote file that changed in between.
 */
export const downloadOverSftp = (
  connection: SshConnection,
  remotePath: string,
  destination: string,
  options: SftpDownloadOptions
): Effect.Effect<SftpDownload, SshFailure> =>
  Effect.scoped(
    Effect.gen(function*() {
      const handle = yield* Effect.acquireRelease(
        sftpRequest<Buffer>(connection, (sftp, done) => sftp.open(remotePath, "r", done)),
        (remote) =>
          connection.isDropped()
            ? Effect.void
            : sftpRequest<void>(connection, (sftp, done) => sftp.close(remote, (error) => done(error, undefined))).pipe(
              Effect.ignore
            )
      )
      const stats = yield* sftpRequest<Stats>(connection, (sftp, done) => sftp.fstat(handle, done))
      const size = stats.size
      const resumedAt = resumableBytes(destination, size)
      const fd = yield* Effect.acquireRelease(
        Effect.try({
          try: () => fs.openSync(destination, resumedAt > 0 ? "r+" : "w"),
          catch: (cause) => localFailure(`cannot open ${destination}`, cause)
        }),
        (fd) => Effect.sync(() => fs.closeSync(fd))
      )
      const progress = { prefix: resumedAt }
      const job: CopyJob = {
        sftp: connection.sftp,
        handle,
        fd,
        remotePath,
        destination,
        size,
        start: resumedAt,
        stallTimeout: connection.operationTimeout,
        options
      }
      yield* copyChunks(job, progress).pipe(
        Effect.raceFirst(connection.dropped),
        // Cut a failed attempt back to its unbroken prefix, so the partial
        // copy a retry continues from has no holes.
        Effect.onExit(() => Effect.sync(() => fs.ftruncateSync(fd, progress.prefix)).pipe(Effect.ignore)),
        Effect.interruptible
      )
      return { bytes: size, resumedAt }
    })
  )

/** The SSH sources' `fetch`: a safe name, downloaded over the link's SFTP, resumed after a reconnect. */
export const fetchOverSftp = (
  source: string,
  link: SshLink,
  remoteDir: string,
  file: RemoteFile,
  destination: string,
  onProgress: ((bytes: number) => void) | undefined
): Effect.Effect<FetchedFile, SourceError> =>
  Effect.gen(function*() {
    const name = yield* requireSafeName(source, "fetch", file.name)
    const download = yield* link.run("fetch", name, (connection) =>
      downloadOverSftp(connection, path.posix.join(remoteDir, name), destination, { budget: link.budget, onProgress }))
    if (download.resumedAt > 0) {
      yield* Effect.logInfo(`${source}: resumed ${name} at ${download.resumedAt} bytes`)
    }
    return { path: destination, bytes: download.bytes, transferSha1: undefined }
  }).pipe(Effect.withSpan("SshSource.fetch", { attributes: { source, file: file.name } }))
