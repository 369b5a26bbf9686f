/**
 * An institution served by one of the SSH source kinds, pointing at the test
 * sshd, for the tests that run the real collector pipeline.
 */
import type { SshdServer } from "../../support/sshd.js"
import { bzip2, content, dataName, writeSourceFile } from "../archive-fixture.js"
import { connectionFields, sha1 } from "./remote-tree.js"

export type SshKind = "ssh-shell" | "sftp-sidecar" | "rsync"

export const HASH_OF: Record<SshKind, string> = {
  "ssh-shell": "remote-sha1sum",
  "sftp-sidecar": "sidecar",
  rsync: "transfer"
}

/** The institution's `source` for `kind`, pointing at the test sshd. */
export const sourceJson = (kind: SshKind, server: SshdServer, dir: string) => ({
  kind,
  remoteDir: dir,
  ...connectionFields(server)
})

/** Two settled rawacf files on the remote (with sidecars for sftp-sidecar); returns name → bytes. */
export const stageRemote = (kind: SshKind, dir: string, tag: string): ReadonlyMap<string, Buffer> => {
  const files = new Map([
    [dataName("bks", "rawacf", "0000"), bzip2(content(`${tag} one`))],
    [dataName("bks", "rawacf", "0200"), bzip2(content(`${tag} two`))]
  ])
  for (const [name, bytes] of files) {
    writeSourceFile(dir, name, bytes)
    if (kind === "sftp-sidecar") writeSourceFile(dir, `${name}.sha1`, Buffer.from(`${sha1(bytes)}  ${name}\n`))
  }
  return files
}
