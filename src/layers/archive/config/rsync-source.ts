/** `rsync`: an account reached with the system rsync over ssh. */
import * as Schema from "effect/Schema"
import { RemoteDir, SshConnectionFields } from "./ssh-settings.js"

export const RsyncSourceConfig = Schema.Struct({
  kind: Schema.Literal("rsync"),
  ...SshConnectionFields,
  remoteDir: RemoteDir,
  /** The remote rsync program, when it is not `rsync` on the remote PATH. */
  rsyncPath: Schema.optional(Schema.String.pipe(Schema.minLength(1))),
  /** Ask rsync for each file's SHA-1; needs rsync 3.2.3 or later at both ends. */
  transferSha1: Schema.optionalWith(Schema.Boolean, { default: () => true })
})
export type RsyncSourceConfig = typeof RsyncSourceConfig.Type
