/** Where a file lives at each stage; every path is built from a parsed (safe) name. */
import * as path from "node:path"
import type { ParsedName } from "../domain/file-name.js"
import type { ArchiveConfig } from "../layers/archive/config/archive-config.js"

const pad = (n: number) => String(n).padStart(2, "0")

/** `{year}/{type}/{radar}` etc., expanded for one file. */
export const expandLayout = (layout: string, name: ParsedName): string =>
  layout
    // Always four digits: a year-50 file goes under 0050/, never 50/ beside the real ones.
    .replaceAll("{year}", String(name.year).padStart(4, "0"))
    .replaceAll("{month}", pad(name.month))
    .replaceAll("{day}", pad(name.day))
    .replaceAll("{type}", name.type)
    .replaceAll("{radar}", name.radar)

/** fitacf files are kept apart for review. */
export const isHeld = (name: ParsedName) => name.type === "fitacf"

/** The final place: the archive, or the holding folder for fitacf. */
export const destinationOf = (config: ArchiveConfig, name: ParsedName): string =>
  isHeld(name)
    ? path.join(config.holdingDir, name.radar, name.archiveName)
    : path.join(config.archiveRoot, expandLayout(config.layout, name), name.archiveName)

export const stagingPathOf = (config: ArchiveConfig, name: ParsedName): string =>
  path.join(config.stagingRoot, name.radar, name.archiveName)

/** Hidden and suffixed, so the mirror's `*rad*rawacf.bz2` glob cannot match it. */
export const stagingTemporaryOf = (config: ArchiveConfig, name: ParsedName): string =>
  path.join(config.stagingRoot, name.radar, `.${name.archiveName}.partial`)

export const quarantinePathOf = (config: ArchiveConfig, institution: string, name: ParsedName, sha1: string) =>
  path.join(config.quarantineDir, institution, `${name.archiveName}.${sha1.slice(0, 12)}`)

export const workFolderOf = (config: ArchiveConfig, institution: string) => path.join(config.workDir, institution)

export interface WorkFiles {
  /** The download as fetched. */
  readonly download: string
  /** Being compressed. */
  readonly compressing: string
  /** Verified bzip2, fsynced, ready to be linked into place. */
  readonly ready: string
}

export const workFilesOf = (config: ArchiveConfig, institution: string, name: ParsedName): WorkFiles => {
  const folder = workFolderOf(config, institution)
  return {
    download: path.join(folder, `${name.name}.download`),
    compressing: path.join(folder, `${name.archiveName}.compressing`),
    ready: path.join(folder, `${name.archiveName}.ready`)
  }
}
