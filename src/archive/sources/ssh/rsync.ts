/**
 * `rsync`: an account reached with the system rsync over ssh (UAF).
 *
 * - One ssh master connection per run (ControlMaster); every rsync call
 *   rides on it, and the first call after a drop re-establishes it.
 * - Listing is `rsync --list-only`; each file comes down with its own rsync
 *   call into a stable folder in the work dir, with `--partial-dir`, so a
 *   transfer cut off by a dropped connection resumes instead of restarting.
 * - `--checksum-choice=sha1` with `--out-format=%C` reports the SHA-1 of each
 *   transferred file (rsync 3.2.3 or later at both ends), which the pipeline
 *   checks as the `transfer` hash.
 * - Never `--remove-source-files`: it deletes at transfer time, before the
 *   pipeline has the file durably. The disposition runs afterwards over SFTP
 *   on the same account, restricted to the archived names.
 * - Names travel with `--secluded-args`, so the remote shell never sees them.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { RsyncSourceConfig } from "../../../layers/archive/config/rsync-source.js"
import type { CollectorSource, Disposition, FetchedFile, RemoteFile, SourceOperation } from "../../source.js"
import { SourceError } from "../../source.js"
import { RsyncFailed, rsyncFailure } from "./rsync-exit-codes.js"
import { tidyOverSftp } from "./sftp-tidy.js"
import { openSshLink } from "./ssh-connection.js"
import type { SshLink } from "./ssh-connection.js"
import { requireSafeName } from "./ssh-remote-name.js"

const RSYNC = "rsync"
const SSH = "ssh"
const TRANSFER_PREFIX = "sdh-transfer|"
/** The master outlives an unexpected exit of the collector by at most this long. */
const CONTROL_PERSIST_SECONDS = 60

interface ProgramResult {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Run a program to completion; interrupting the effect kills it. `onOutput`
 * sees stdout as it arrives (rsync's progress).
 */
const runProgram = (
  command: string,
  args: ReadonlyArray<string>,
  onOutput?: (chunk: string) => void
): Effect.Effect<ProgramResult, RsyncFailed> =>
  Effect.async<ProgramResult, RsyncFailed>((resume) => {
    // Listing dates are printed in the local zone; UTC makes them unambiguous.
    const child = spawn(command, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, TZ: "UTC", LC_ALL: "C" }
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8")
    child.stderr.setEncoding("utf8")
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk
      onOutput?.(chunk)
    })
    child.stderr.on("data", (chunk: string) => {
      if (stderr.length < 8192) stderr += chunk
    })
    child.once("error", (error) =>
      resume(Effect.fail(
        new RsyncFailed({
          exitCode: -1,
          meaning: `cannot run ${command}`,
          retryable: false,
          connectionLost: false,
          detail: error.message
        })
      )))
    child.once("close", (code, signal) =>
      resume(
        Effect.succeed({
          exitCode: code ?? (signal === null ? -1 : 128 + os.constants.signals[signal]),
          stdout,
          stderr
        })
      ))
    return Effect.sync(() => child.kill("SIGTERM"))
  })

const succeeded = (result: ProgramResult) =>
  result.exitCode === 0 ? Effect.succeed(result) : Effect.fail(rsyncFailure(result.exitCode, result.stderr))

/** rsync splits `-e` on spaces itself: quote with double quotes, doubling any inside. */
export const remoteShellWord = (word: string): string =>
  /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `"${word.replaceAll("\"", "\"\"")}"`

/** ssh options for this institution: key, port, host-key policy, keepalives and the run's master connection. */
export const sshOptions = (settings: RsyncSourceConfig, controlPath: string): ReadonlyArray<string> => [
  "-F",
  "/dev/null",
  "-i",
  settings.privateKeyPath,
  "-p",
  String(settings.port),
  "-o",
  "IdentitiesOnly=yes",
  "-o",
  "BatchMode=yes",
  "-o",
  `ConnectTimeout=${settings.connectTimeoutSeconds}`,
  "-o",
  "ServerAliveInterval=10",
  "-o",
  "ServerAliveCountMax=3",
  ...(settings.insecureSkipHostKeyCheck
    ? ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"]
    : ["-o", "StrictHostKeyChecking=yes", "-o", `UserKnownHostsFile=${settings.knownHostsPath}`]),
  "-o",
  `ControlPath=${controlPath}`,
  "-o",
  "ControlMaster=auto",
  "-o",
  `ControlPersist=${CONTROL_PERSIST_SECONDS}`
]

const LIST_LINE = /^(\S{10})\s+(\d+)\s+(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d) (.*)$/

/** rsync prints unprintable bytes of a name as `\#ooo` (octal). */
const unescapeName = (name: string) =>
  name.replace(/\\#([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)))

/** Regular files from `rsync --list-only --no-h` output (dates in UTC). */
export const parseListOnly = (stdout: string): ReadonlyArray<RemoteFile> => {
  const files: Array<RemoteFile> = []
  for (const line of stdout.split("\n")) {
    const match = LIST_LINE.exec(line)
    if (match === null || !match[1]!.startsWith("-")) continue
    const name = unescapeName(match[9]!)
    if (name.startsWith(".")) continue
    const [year, month, day, hour, minute, second] = match.slice(3, 9).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number
    ]
    files.push({
      name,
      size: Number(match[2]),
      mtimeMs: Date.UTC(year, month - 1, day, hour, minute, second),
      sha1: undefined
    })
  }
  return files
}

/** The `--out-format` line of one transfer: size and SHA-1 (when rsync knows it). */
export const parseTransferLine = (
  stdout: string,
  name: string
): { bytes: number; sha1: string | undefined } | undefined => {
  for (const line of stdout.split(/[\r\n]/)) {
    if (!line.startsWith(TRANSFER_PREFIX)) continue
    const [bytes, checksum, ...rest] = line.slice(TRANSFER_PREFIX.length).split("|")
    if (rest.join("|") !== name) continue
    return {
      bytes: Number(bytes),
      sha1: checksum !== undefined && /^[0-9a-f]{40}$/.test(checksum) ? checksum : undefined
    }
  }
  return undefined
}

/** Cumulative bytes from rsync's `--progress` lines ("  1234567  45%  1.2MB/s  0:00:01"). */
const progressBytes = /(?:^|[\r\n])\s*(\d+)\s+\d{1,3}%/g

const toSourceError =
  (source: string, operation: SourceOperation, file: string | undefined) => (failure: RsyncFailed) =>
    SourceError.fromCause(failure, { source, operation, file })

/** The local rsync must offer sha1 in its checksum list when transfer hashes are wanted. */
const checkLocalRsync = (source: string, settings: RsyncSourceConfig) =>
  Effect.gen(function*() {
    const version = yield* runProgram(RSYNC, ["--version"]).pipe(
      Effect.flatMap(succeeded),
      Effect.mapError(toSourceError(source, "connect", undefined))
    )
    const checksums = /Checksum list:\s*\n\s*(.*)/.exec(version.stdout)?.[1] ?? ""
    if (settings.transferSha1 && !checksums.split(/\s+/).includes("sha1")) {
      return yield* new SourceError({
        source,
        operation: "connect",
        file: undefined,
        reason: `the local rsync offers no sha1 checksum (needs 3.2.3 or later; set transferSha1: false to go without)`,
        retryable: false
      })
    }
  })

const list = (
  source: string,
  rsync: (args: ReadonlyArray<string>) => Effect.Effect<ProgramResult, RsyncFailed>,
  settings: RsyncSourceConfig,
  target: string
) =>
  rsync(["--list-only", "--no-human-readable", "--8-bit-output", "--", `${target}${settings.remoteDir}/`]).pipe(
    Effect.map((result) => parseListOnly(result.stdout)),
    Effect.mapError(toSourceError(source, "list", undefined)),
    Effect.withSpan("Rsync.list", { attributes: { source } })
  )

const fetch = (
  source: string,
  rsync: (args: ReadonlyArray<string>, onOutput?: (chunk: string) => void) => Effect.Effect<ProgramResult, RsyncFailed>,
  settings: RsyncSourceConfig,
  target: string
) =>
(
  file: RemoteFile,
  destination: string,
  onProgress?: (bytes: number) => void
): Effect.Effect<FetchedFile, SourceError> =>
  Effect.gen(function*() {
    const name = yield* requireSafeName(source, "fetch", file.name)
    // A stable folder beside the destination (same file system), so the
    // partial copy of an interrupted transfer is found by the next attempt
    // whatever temporary name the pipeline chooses.
    const stage = path.join(path.dirname(destination), ".rsync")
    const staged = path.join(stage, name)
    yield* Effect.try({
      try: () => {
        fs.mkdirSync(stage, { recursive: true })
        // A finished copy left by a crash would make rsync skip the transfer and its hash report.
        fs.rmSync(staged, { force: true })
      },
      catch: (cause) =>
        new SourceError({
          source,
          operation: "fetch",
          file: name,
          reason: `cannot prepare ${stage}: ${String(cause)}`,
          retryable: true
        })
    })
    const args = [
      "--times",
      "--partial",
      "--partial-dir=.rsync-partial",
      `--timeout=${settings.operationTimeoutSeconds}`,
      "--no-human-readable",
      "--progress",
      `--out-format=${TRANSFER_PREFIX}%l|%C|%n`,
      ...(settings.transferSha1 ? ["--checksum-choice=sha1"] : []),
      ...(settings.bandwidthLimitKiBps === undefined ? [] : [`--bwlimit=${settings.bandwidthLimitKiBps}`]),
      "--",
      `${target}${path.posix.join(settings.remoteDir, name)}`,
      `${stage}/`
    ]
    const onOutput = onProgress === undefined ? undefined : (chunk: string) => {
      for (const match of chunk.matchAll(progressBytes)) onProgress(Number(match[1]))
    }
    const backoff = Schedule.exponential(Duration.millis(settings.reconnectDelayMillis)).pipe(
      Schedule.jittered,
      Schedule.intersect(Schedule.recurs(settings.reconnectAttempts))
    )
    const result = yield* rsync(args, onOutput).pipe(
      Effect.tapError((failure) =>
        failure.connectionLost ? Effect.logWarning(`${source}: ${failure.message}; retrying ${name}`) : Effect.void
      ),
      Effect.retry({ schedule: backoff, while: (failure) => failure.connectionLost && failure.retryable }),
      Effect.mapError(toSourceError(source, "fetch", name))
    )
    const transfer = parseTransferLine(result.stdout, name)
    const bytes = yield* Effect.try({
      try: () => {
        fs.renameSync(staged, destination)
        return fs.statSync(destination).size
      },
      catch: (cause) =>
        new SourceError({
          source,
          operation: "fetch",
          file: name,
          reason: `rsync reported success but left no ${staged}: ${String(cause)}`,
          retryable: true
        })
    })
    return { path: destination, bytes, transferSha1: settings.transferSha1 ? transfer?.sha1 : undefined }
  }).pipe(Effect.withSpan("Rsync.fetch", { attributes: { source, file: file.name } }))

/** An `rsync` source for one institution. */
export const rsyncSource = (settings: RsyncSourceConfig): CollectorSource => {
  const describe = `rsync ${settings.user}@${settings.host}:${settings.remoteDir}`
  const target = `${settings.user}@${settings.host}:`
  return {
    describe,
    open: Effect.gen(function*() {
      yield* checkLocalRsync(describe, settings)
      const controlDir = yield* Effect.acquireRelease(
        Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "sdh-ssh-"))),
        (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
      )
      const ssh = sshOptions(settings, path.join(controlDir, "master"))
      const remoteShell = [SSH, ...ssh].map(remoteShellWord).join(" ")
      const rsync = (args: ReadonlyArray<string>, onOutput?: (chunk: string) => void) =>
        runProgram(
          RSYNC,
          [
            "--secluded-args",
            "-e",
            remoteShell,
            ...(settings.rsyncPath === undefined ? [] : [`--rsync-path=${settings.rsyncPath}`]),
            ...args
          ],
          onOutput
        ).pipe(Effect.flatMap(succeeded))

      // Open the master now, so a refused key or host key fails the run at once.
      yield* Effect.acquireRelease(
        runProgram(SSH, [...ssh, "-f", "-N", `${settings.user}@${settings.host}`]).pipe(
          Effect.flatMap(succeeded),
          Effect.mapError(toSourceError(describe, "connect", undefined))
        ),
        () => runProgram(SSH, [...ssh, "-O", "exit", `${settings.user}@${settings.host}`]).pipe(Effect.ignore)
      )

      // SFTP is only needed to tidy; connect on first use, within the run's scope.
      const scope = yield* Effect.scope
      let link: SshLink | undefined
      const sftpLink = Effect.suspend(() =>
        link === undefined
          ? openSshLink(describe, settings).pipe(Scope.extend(scope), Effect.tap((opened) => (link = opened)))
          : Effect.succeed(link)
      )

      return {
        list: list(describe, rsync, settings, target),
        fetch: fetch(describe, rsync, settings, target),
        tidy: (files: ReadonlyArray<RemoteFile>, disposition: Disposition) =>
          disposition.kind === "leave" || files.length === 0
            ? Effect.void
            : Effect.flatMap(
              sftpLink,
              (opened) =>
                tidyOverSftp(describe, opened, settings.remoteDir, files.map((file) => file.name), disposition)
            )
      }
    })
  }
}
