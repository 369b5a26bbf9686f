/** `ssh-shell`: an account with a shell on a staging server; one remote command lists and hashes the folder. */
import * as Schema from "effect/Schema"
import { RemoteDir, SshConnectionFields } from "./ssh-settings.js"

export const SshShellSourceConfig = Schema.Struct({
  kind: Schema.Literal("ssh-shell"),
  ...SshConnectionFields,
  remoteDir: RemoteDir
})
export type SshShellSourceConfig = typeof SshShellSourceConfig.Type
