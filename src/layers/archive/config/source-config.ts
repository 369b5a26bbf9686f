/**
 * Every kind of source an institution can name in `source`. Adding a kind is
 * two entries: its Schema in `<kind>-source.ts` beside this file, and its
 * constructor in src/archive/sources/source-makers.ts (the registry's type
 * makes the second mandatory once the first exists).
 */
import * as Schema from "effect/Schema"
import { FtpSourceConfig } from "./ftp-source.js"
import { HttpIndexSourceConfig } from "./http-index-source.js"
import { InboxSourceConfig } from "./inbox-source.js"
import { LocalSourceConfig } from "./local-source.js"
import { RsyncSourceConfig } from "./rsync-source.js"
import { SftpSidecarSourceConfig } from "./sftp-sidecar-source.js"
import { SshShellSourceConfig } from "./ssh-shell-source.js"

export const SourceConfig = Schema.Union(
  LocalSourceConfig,
  InboxSourceConfig,
  HttpIndexSourceConfig,
  FtpSourceConfig,
  SshShellSourceConfig,
  SftpSidecarSourceConfig,
  RsyncSourceConfig
)
export type SourceConfig = typeof SourceConfig.Type

export type SourceKind = SourceConfig["kind"]

/**
 * Kinds whose files must stay where they are: a web index is read-only, and
 * FTP providers remove their files themselves.
 */
export const LEAVE_ONLY_KINDS: ReadonlySet<SourceKind> = new Set<SourceKind>(["http-index", "ftp"])
