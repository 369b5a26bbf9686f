/**
 * Connection settings shared by the SSH source kinds (ssh-shell,
 * sftp-sidecar, rsync), as they appear inside an institution's `source` in
 * archive.config.json.
 */
import * as Schema from "effect/Schema"
import * as os from "node:os"
import * as path from "node:path"

const NonEmpty = Schema.String.pipe(Schema.minLength(1))
const PositiveInt = Schema.Number.pipe(Schema.int(), Schema.positive())

/** An absolute remote folder; relative ones would depend on the login shell's start folder. */
export const RemoteDir = Schema.String.pipe(
  Schema.filter((dir) => dir.startsWith("/") && !dir.includes("\0") && !/[\n\r]/.test(dir), {
    message: () => "must be an absolute remote path without newlines"
  })
)

export const SshConnectionFields = {
  host: NonEmpty,
  port: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.between(1, 65535)), { default: () => 22 }),
  user: NonEmpty,
  /** Path to an unencrypted OpenSSH private key readable by the collector. */
  privateKeyPath: NonEmpty,
  knownHostsPath: Schema.optionalWith(NonEmpty, { default: () => path.join(os.homedir(), ".ssh", "known_hosts") }),
  /** Explicit opt-out of host-key checking; never the default. */
  insecureSkipHostKeyCheck: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  connectTimeoutSeconds: Schema.optionalWith(PositiveInt, { default: () => 20 }),
  /** Limit for one remote command, one SFTP request or one stalled transfer. */
  operationTimeoutSeconds: Schema.optionalWith(PositiveInt, { default: () => 120 }),
  /** Per-institution transfer cap in KiB/s. */
  bandwidthLimitKiBps: Schema.optional(PositiveInt),
  /** Reconnections allowed per operation after a dropped connection, with exponential backoff. */
  reconnectAttempts: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.nonNegative()), {
    default: () => 5
  }),
  reconnectDelayMillis: Schema.optionalWith(PositiveInt, { default: () => 1000 })
}

export const SshConnectionSettings = Schema.Struct(SshConnectionFields)
export type SshConnectionSettings = typeof SshConnectionSettings.Type
