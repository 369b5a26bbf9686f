/**
 * The source registry: `source.kind` in archive.config.json → the
 * CollectorSource built from its settings. A kind's Schema lives in
 * src/archive/config/source-config.ts; this record's type requires one entry
 * per kind there.
 */
import type { HashMode } from "../../layers/archive/config/archive-config.js"
import type { SourceConfig, SourceKind } from "../../layers/archive/config/source-config.js"
import type { CollectorSource } from "../source.js"
import { ftpSource } from "./ftp.js"
import { httpIndexSource } from "./http-index.js"
import { inboxSource } from "./inbox.js"
import { localSource } from "./local.js"
import { rsyncSource } from "./ssh/rsync.js"
import { sftpSidecarSource } from "./ssh/sftp-sidecar.js"
import { sshShellSource } from "./ssh/ssh-shell.js"

/** What a source may need to know about the institution it serves. */
export interface SourceContext {
  readonly institution: string
  /** Lets a source skip work the pipeline will not use (e.g. remote sha1sum). */
  readonly hash: HashMode
}

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
