/**
 * Remote file names reach remote shells, SFTP paths and rsync arguments, so
 * the SSH sources check every name themselves before building anything from
 * it, even though the pipeline validates names too: a source must never be
 * the weak link if a caller forgets.
 */
import * as Effect from "effect/Effect"
import { SourceError } from "../../source.js"
import type { SourceOperation } from "../../source.js"

/** Why `name` cannot be used as a single remote file name, or undefined when it can. */
export const unsafeRemoteName = (name: string): string | undefined => {
  if (name.length === 0) return "empty name"
  if (name.includes("\0")) return "name contains NUL"
  if (name.includes("/")) return "name contains '/'"
  if (name.includes("..")) return "name contains '..'"
  // Newlines would split remote command output and rsync file lists; no
  // SuperDARN name has any control character.
  if (/[\u0001-\u001f\u007f]/.test(name)) return "name contains a control character"
  return undefined
}

/**
 * POSIX sh single-quoting: inside '...' nothing is special except the quote
 * itself, which is closed, escaped and reopened.
 */
export const shellQuote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`

/** Fail with a non-retryable SourceError unless `name` is a safe single remote file name. */
export const requireSafeName = (
  source: string,
  operation: SourceOperation,
  name: string
): Effect.Effect<string, SourceError> => {
  const reason = unsafeRemoteName(name)
  return reason === undefined
    ? Effect.succeed(name)
    : Effect.fail(
      new SourceError({
        source,
        operation,
        file: JSON.stringify(name),
        reason: `refused remote name: ${reason}`,
        retryable: false
      })
    )
}
