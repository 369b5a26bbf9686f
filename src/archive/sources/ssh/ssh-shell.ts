/**
 * `ssh-shell`: an account with a shell on a staging server (VT's radars,
 * USask, CNRS/LCPE, SANSA, STELab, ISAP). One remote command lists every file
 * with its size, mtime and SHA-1; files come down over SFTP on the same
 * connection; the disposition is one remote command per batch of names.
 *
 * The remote side needs GNU find and coreutils (`find -printf`, `sha1sum
 * -z`), which every Linux staging host has. Names travel NUL-separated, so
 * no name can break the listing, and every name placed in a command is
 * checked and single-quoted.
 */
import * as Effect from "effect/Effect"
import type { SshShellSourceConfig } from "../../../layers/archive/config/ssh-shell-source.js"
import type { CollectorSource, Disposition, RemoteFile, SourceContext } from "../../source.js"
import { SourceError } from "../../source.js"
import { fetchOverSftp } from "./sftp-download.js"
import { execCommand, openSshLink } from "./ssh-connection.js"
import type { SshLink } from "./ssh-connection.js"
import { requireSafeName, shellQuote } from "./ssh-remote-name.js"

/** Separates the stat part of the listing from the hash part; '/' cannot occur in a file name. */
const HASHES_MARKER = "/sdh-sha1/"
const NO_SUCH_DIR_EXIT = 97
/** Names per tidy command, far below any ARG_MAX. */
const TIDY_BATCH = 200

/** Hidden names are skipped: uploads in progress (scp, rsync) use them. */
const FIND_FILES = "find . -mindepth 1 -maxdepth 1 -type f ! -name '.*'"

/** Wrapped in `sh -c` so a csh or other non-POSIX login shell runs it the same way. */
const remoteScript = (script: string) => `sh -c ${shellQuote(script)}`

/** List the folder; with `withHashes`, also hash every file, in the same remote command. */
export const listingCommand = (remoteDir: string, withHashes: boolean): string =>
  remoteScript(
    `cd -- ${shellQuote(remoteDir)} || exit ${NO_SUCH_DIR_EXIT}; ` +
      `${FIND_FILES} -printf '%f\\0%s\\0%T@\\0'; ` +
      `printf '${HASHES_MARKER}\\0'` +
      (withHashes ? `; ${FIND_FILES} -exec sha1sum -z -- {} +` : "")
  )

export interface ShellListing {
  readonly files: ReadonlyArray<RemoteFile>
  /** Names that were listed but could not be hashed (unreadable, or appeared between the two passes). */
  readonly unhashed: ReadonlyArray<string>
}

const SHA1_LINE = /^([0-9a-f]{40}) [ *]\.\/(.*)$/s

/** Parse the output of `listingCommand`: NUL-separated name/size/mtime triples, the marker, then `sha1sum -z` lines. */
export const parseShellListing = (stdout: Buffer, withHashes: boolean): ShellListing | undefined => {
  const tokens = stdout.toString("utf8").split("\0")
  const stats = new Map<string, { size: number; mtimeMs: number }>()
  let index = 0
  while (index < tokens.length && tokens[index] !== HASHES_MARKER) {
    const name = tokens[index]!
    const size = Number(tokens[index + 1])
    const mtime = Number(tokens[index + 2])
    if (!Number.isFinite(size) || !Number.isFinite(mtime)) return undefined
    stats.set(name, { size, mtimeMs: Math.round(mtime * 1000) })
    index += 3
  }
  if (tokens[index] !== HASHES_MARKER) return undefined
  const hashes = new Map<string, string>()
  for (const line of tokens.slice(index + 1)) {
    const match = SHA1_LINE.exec(line)
    if (match !== null) hashes.set(match[2]!, match[1]!)
  }
  const files: Array<RemoteFile> = []
  const unhashed: Array<string> = []
  for (const [name, stat] of stats) {
    const sha1 = hashes.get(name)
    if (withHashes && sha1 === undefined) unhashed.push(name)
    else files.push({ name, size: stat.size, mtimeMs: stat.mtimeMs, sha1 })
  }
  return { files, unhashed }
}

/** The disposition as one shell script over `names`; repeating it after a crash is harmless. */
export const tidyCommand = (remoteDir: string, names: ReadonlyArray<string>, disposition: Disposition): string => {
  const quoted = names.map(shellQuote).join(" ")
  const enter = `cd -- ${shellQuote(remoteDir)} || exit ${NO_SUCH_DIR_EXIT}; `
  if (disposition.kind === "move") {
    const backup = shellQuote(disposition.backupDir)
    // Only names still present are moved: a rerun after a crash finds some already gone.
    return remoteScript(
      enter + `mkdir -p -- ${backup} || exit 1; set --; ` +
        `for f in ${quoted}; do if [ -e "$f" ]; then set -- "$@" "$f"; fi; done; ` +
        `if [ $# -gt 0 ]; then mv -f -- "$@" ${backup}/; fi`
    )
  }
  return remoteScript(enter + `rm -f -- ${quoted}`)
}

const describeOf = (settings: SshShellSourceConfig) =>
  `ssh-shell ${settings.user}@${settings.host}:${settings.remoteDir}`

const runScript = (source: string, link: SshLink, operation: "list" | "tidy", command: string, remoteDir: string) =>
  Effect.gen(function*() {
    const result = yield* link.run(operation, undefined, (connection) => execCommand(connection, command))
    if (result.exitCode === NO_SUCH_DIR_EXIT) {
      return yield* new SourceError({
        source,
        operation,
        file: undefined,
        reason: `cannot enter remote folder ${remoteDir}: ${result.stderr.trim()}`,
        retryable: true
      })
    }
    return result
  })

const list = (source: string, link: SshLink, settings: SshShellSourceConfig, withHashes: boolean) =>
  Effect.gen(function*() {
    const command = listingCommand(settings.remoteDir, withHashes)
    const result = yield* runScript(source, link, "list", command, settings.remoteDir)
    const listing = parseShellListing(result.stdout, withHashes)
    if (listing === undefined) {
      return yield* new SourceError({
        source,
        operation: "list",
        file: undefined,
        reason: `unreadable listing (exit ${result.exitCode}): ${result.stderr.trim()}`,
        retryable: true
      })
    }
    if (listing.unhashed.length > 0) {
      yield* Effect.logWarning(
        `${source}: no SHA-1 for ${listing.unhashed.length} file(s), skipped this run: ${
          listing.unhashed.slice(0, 5).map((name) => JSON.stringify(name)).join(", ")
        } ${result.stderr.trim()}`
      )
    }
    return listing.files
  }).pipe(Effect.withSpan("SshShell.list", { attributes: { source } }))

const tidy =
  (source: string, link: SshLink, settings: SshShellSourceConfig) =>
  (files: ReadonlyArray<RemoteFile>, disposition: Disposition) =>
    Effect.gen(function*() {
      if (disposition.kind === "leave" || files.length === 0) return
      const names = yield* Effect.forEach(files, (file) => requireSafeName(source, "tidy", file.name))
      for (let start = 0; start < names.length; start += TIDY_BATCH) {
        const batch = names.slice(start, start + TIDY_BATCH)
        const result = yield* runScript(
          source,
          link,
          "tidy",
          tidyCommand(settings.remoteDir, batch, disposition),
          settings.remoteDir
        )
        if (result.exitCode !== 0) {
          return yield* new SourceError({
            source,
            operation: "tidy",
            file: undefined,
            reason: `${disposition.kind} failed (exit ${result.exitCode}): ${result.stderr.trim()}`,
            retryable: true
          })
        }
      }
    }).pipe(
      Effect.withSpan("SshShell.tidy", { attributes: { source, files: files.length, disposition: disposition.kind } })
    )

/**
 * An `ssh-shell` source for one institution. The remote SHA-1 pass is skipped
 * unless the institution's hash mode is `remote-sha1sum`.
 */
export const sshShellSource = (
  settings: SshShellSourceConfig,
  context: Pick<SourceContext, "hash"> = { hash: "remote-sha1sum" }
): CollectorSource => {
  const describe = describeOf(settings)
  const withHashes = context.hash === "remote-sha1sum"
  return {
    describe,
    open: Effect.gen(function*() {
      const link = yield* openSshLink(describe, settings)
      return {
        list: list(describe, link, settings, withHashes),
        fetch: (file, destination, onProgress) =>
          fetchOverSftp(describe, link, settings.remoteDir, file, destination, onProgress),
        tidy: tidy(describe, link, settings)
      }
    })
  }
}
