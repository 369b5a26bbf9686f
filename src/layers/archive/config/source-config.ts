/**
 * Every kind of source an institution can name in `source`. Adding a kind is
 * two entries: its Schema here and its constructor in
 * src/actors/sources/index.ts (the registry's type makes the second
 * mandatory once the first exists).
 */
import { Schema } from "effect"
import { RsyncSettings } from "../../../archive/sources/ssh/rsync.js"
import { SftpSidecarSettings } from "../../../archive/sources/ssh/sftp-sidecar.js"
import { SshShellSettings } from "../../../archive/sources/ssh/ssh-shell.js"
import { FtpSourceConfig } from "./ftp-source.js"
import { HttpIndexSourceConfig } from "./http-index-source.js"
import { InboxSourceConfig } from "./inbox-source.js"
import { LocalSourceConfig } from "./local-source.js"

export const SourceConfig = Schema.Union(
  LocalSourceConfig,
  InboxSourceConfig,
  HttpIndexSourceConfig,
  FtpSourceConfig,
  SshShellSettings,
  SftpSidecarSettings,
  RsyncSettings
)
export type SourceConfig = typeof SourceConfig.Type

export type SourceKind = SourceConfig["kind"]

/**
 * Kinds whose files must stay where they are: a web index is read-only, and
 * FTP providers remove their files themselves.
 */
export const LEAVE_ONLY_KINDS: ReadonlySet<SourceKind> = new Set<SourceKind>(["http-index", "ftp"])
