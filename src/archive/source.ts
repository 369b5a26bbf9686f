/**
 * CONTRACT between the collector pipeline and every kind of source (local,
 * inbox, http-index, ftp, ssh-shell, sftp-sidecar, rsync). A source only lists,
 * downloads and tidies; validating names, verifying, de-duplicating and filing
 * are the pipeline's job, so every source gets the same guarantees.
 */
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { Disposition, HashMode } from "../layers/archive/config/archive-config.js"

/** A file as the source lists it. `name` is untrusted until the pipeline parses it. */
export interface RemoteFile {
  readonly name: string
  /** Bytes, or undefined when the source cannot tell before download. */
  readonly size: number | undefined
  readonly mtimeMs: number | undefined
  /** Lower-case hex SHA-1 when the source publishes one (remote sha1sum, sidecar). */
  readonly sha1: string | undefined
}

/** A downloaded copy, complete, in the work dir. */
export interface FetchedFile {
  readonly path: string
  readonly bytes: number
  /** Hash the transfer itself verified (rsync's checksum), if any. */
  readonly transferSha1: string | undefined
}

export type { Disposition }

/** What a source may need to know about the institution it serves. */
export interface SourceContext {
  readonly institution: string
  /** Lets a source skip work the pipeline will not use (e.g. remote sha1sum). */
  readonly hash: HashMode
}

export type SourceOperation = "connect" | "list" | "hash" | "fetch" | "tidy"

export class SourceError extends Data.TaggedError("SourceError")<{
  readonly source: string
  readonly operation: SourceOperation
  readonly file: string | undefined
  readonly reason: string
  /** False when retrying cannot help (authentication refused, host key mismatch). */
  readonly retryable: boolean
}> {
  override get message(): string {
    return `${this.source}: ${this.operation}${this.file === undefined ? "" : ` ${this.file}`} failed: ${this.reason}`
  }

  /**
   * The one way a source turns a failure into a SourceError. A SourceError
   * passes through unchanged; a cause that knows whether retrying helps (an
   * `SshFailure`, `RsyncFailed`) says so unless `retryable` is given.
   */
  static fromCause(
    cause: unknown,
    where: {
      readonly source: string
      readonly operation: SourceOperation
      readonly file: string | undefined
      readonly retryable?: boolean
    }
  ): SourceError {
    if (cause instanceof SourceError) return cause
    const own = (cause as { readonly retryable?: unknown } | null)?.retryable
    return new SourceError({
      source: where.source,
      operation: where.operation,
      file: where.file,
      reason: reasonOf(cause),
      retryable: where.retryable ?? (typeof own === "boolean" ? own : true)
    })
  }
}

/** A failure's message with its cause's (fetch's "fetch failed" alone says nothing). */
const reasonOf = (cause: unknown): string => {
  if (!(cause instanceof Error)) return String(cause)
  return cause.cause instanceof Error ? `${cause.message}: ${cause.cause.message}` : cause.message
}

/** One run's connection to a source; closed when the run's scope closes. */
export interface SourceSession {
  readonly list: Effect.Effect<ReadonlyArray<RemoteFile>, SourceError>
  /**
   * Download `file` to `destination` (a temporary name in the work dir, which
   * the pipeline renames only after verification). `onProgress` receives the
   * cumulative byte count.
   */
  readonly fetch: (
    file: RemoteFile,
    destination: string,
    onProgress?: (bytes: number) => void
  ) => Effect.Effect<FetchedFile, SourceError>
  /**
   * Apply the disposition to files that are durably archived and journalled.
   * Called once per run with the whole batch, so sources can batch deletions.
   */
  readonly tidy: (
    files: ReadonlyArray<RemoteFile>,
    disposition: Disposition
  ) => Effect.Effect<void, SourceError>
}

export interface CollectorSource {
  /** Human-readable description, e.g. "ssh-shell user@host:/data". */
  readonly describe: string
  readonly open: Effect.Effect<SourceSession, SourceError, Scope.Scope>
}
