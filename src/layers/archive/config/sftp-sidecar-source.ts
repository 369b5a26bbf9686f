/** `sftp-sidecar`: an SFTP-only account with a `<file>.sha1` sidecar beside every file. */
import * as Schema from "effect/Schema"
import { RemoteDir, SshConnectionFields } from "./ssh-settings.js"

export const SftpSidecarSourceConfig = Schema.Struct({
  kind: Schema.Literal("sftp-sidecar"),
  ...SshConnectionFields,
  remoteDir: RemoteDir
})
export type SftpSidecarSourceConfig = typeof SftpSidecarSourceConfig.Type
