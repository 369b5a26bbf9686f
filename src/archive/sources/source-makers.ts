/**
 * The source registry: `source.kind` in archive.config.json → the
 * CollectorSource built from its settings. A kind's Schema lives in
 * src/layers/archive/config/source-config.ts; this record's type requires one entry
 * per kind there.
 */
import type { SourceConfig, SourceKind } from "../../layers/archive/config/source-config.js"
import type { CollectorSource, SourceContext } from "../source.js"
import { ftpSource } from "./ftp.js"
import { httpIndexSource } from "./http-index.js"
import { inboxSource } from "./inbox.js"
import { localSource } from "./local.js"
import { rsyncSource } from "./ssh/rsync.js"
import { sftpSidecarSource } from "./ssh/sftp-sidecar.js"
import { sshShellSource } from "./ssh/ssh-shell.js"

export type SourceMakers = {
  readonly [K in SourceKind]: (settings: Extract<SourceConfig, { kind: K }>, context: SourceContext) => CollectorSource
}

export const sourceMakers: SourceMakers = {
  local: localSource,
  inbox: inboxSource,
  "http-index": httpIndexSource,
  ftp: ftpSource,
  "ssh-shell": sshShellSource,
  "sftp-sidecar": sftpSidecarSource,
  rsync: rsyncSource
}

export const makeSource = (settings: SourceConfig, context: SourceContext): CollectorSource =>
  (sourceMakers[settings.kind] as (settings: SourceConfig, context: SourceContext) => CollectorSource)(
    settings,
    context
  )
