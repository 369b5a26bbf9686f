/**
 * rsync's exit status (rsync(1), "EXIT VALUES") as a typed failure: what it
 * means, whether another attempt can help, and whether the link dropped (so
 * the transfer should be retried now, resuming from the partial file).
 */
import * as Data from "effect/Data"

export class RsyncFailed extends Data.TaggedError("RsyncFailed")<{
  readonly exitCode: number
  readonly meaning: string
  readonly retryable: boolean
  /** The connection went away mid-transfer: retry now with backoff. */
  readonly connectionLost: boolean
  /** The first lines rsync or ssh wrote to stderr. */
  readonly detail: string
}> {
  override get message(): string {
    return `rsync exit ${this.exitCode} (${this.meaning})${this.detail.length > 0 ? `: ${this.detail}` : ""}`
  }
}

interface ExitMeaning {
  readonly meaning: string
  readonly retryable: boolean
  readonly connectionLost: boolean
}

const meaning = (text: string, retryable: boolean, connectionLost = false): ExitMeaning => ({
  meaning: text,
  retryable,
  connectionLost
})

const EXIT_CODES: ReadonlyMap<number, ExitMeaning> = new Map([
  [1, meaning("syntax or usage error", false)],
  [2, meaning("protocol incompatibility", false)],
  [3, meaning("errors selecting input/output files or folders", true)],
  [4, meaning("requested action not supported by the remote rsync", false)],
  [5, meaning("error starting client-server protocol", true, true)],
  [6, meaning("daemon unable to append to log file", true)],
  [10, meaning("error in socket I/O", true, true)],
  [11, meaning("error in file I/O", true)],
  [12, meaning("error in rsync protocol data stream", true, true)],
  [13, meaning("errors with program diagnostics", true)],
  [14, meaning("error in IPC code", true)],
  [20, meaning("received SIGUSR1 or SIGINT", true, true)],
  [21, meaning("some error returned by waitpid()", true)],
  [22, meaning("error allocating core memory buffers", true)],
  [23, meaning("partial transfer due to error", true)],
  [24, meaning("partial transfer due to vanished source files", true)],
  [25, meaning("the --max-delete limit stopped deletions", false)],
  [30, meaning("timeout in data send/receive", true, true)],
  [35, meaning("timeout waiting for daemon connection", true, true)]
])

/**
 * Refusals that no retry fixes, most telling first until someone changes keys, known_hosts or
 * the remote account; they can come with any status (a missing remote rsync
 * shows as a broken protocol stream, 12).
 */
const PERMANENT_ERRORS = [
  /Host key verification failed/i,
  /REMOTE HOST IDENTIFICATION HAS CHANGED/i,
  /Permission denied \((publickey|password|keyboard)/i,
  /Load key .*:/i,
  /Could not resolve hostname/i,
  /rsync: (command )?not found/i
]

/** Classify an rsync exit status (non-zero) with its stderr. */
export const rsyncFailure = (exitCode: number, stderr: string): RsyncFailed => {
  const lines = stderr.split("\n").map((line) => line.trim()).filter((line) => line.length > 0 && !/^@+$/.test(line))
  const refusal = PERMANENT_ERRORS.map((pattern) => lines.find((line) => pattern.test(line))).find((line) =>
    line !== undefined
  )
  const permanent = refusal !== undefined
  // The refusal first: ssh's host-key warning banner would otherwise fill the message.
  const detail = (refusal === undefined ? lines : [refusal, ...lines.filter((line) => line !== refusal)])
    .slice(0, 3)
    .join(" | ")
  // 255 is ssh's own failure status, passed through by rsync.
  const known = exitCode === 255
    ? meaning("ssh connection failed", true, true)
    : EXIT_CODES.get(exitCode) ?? meaning("unknown exit status", true)
  return permanent
    ? new RsyncFailed({ exitCode, meaning: "refused", retryable: false, connectionLost: false, detail })
    : new RsyncFailed({ exitCode, ...known, detail })
}
