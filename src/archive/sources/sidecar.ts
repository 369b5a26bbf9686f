/**
 * `<file>.sha1` sidecars, as FTP and SFTP providers publish them beside each
 * data file. One strict reading for every source: a sidecar that names a
 * different file is not this file's hash.
 */
import * as Option from "effect/Option"
import * as path from "node:path"

export const SIDECAR_SUFFIX = ".sha1"
/** A sidecar is one `sha1sum` line; anything much longer is not one. */
export const MAX_SIDECAR_BYTES = 4096

/**
 * The lower-case hash in a sidecar for `dataName`: `sha1sum` output
 * (`<hex>  <name>` or `<hex> *<name>`, the name possibly with a folder) or
 * the bare hex.
 */
export const parseSidecar = (text: string, dataName: string): Option.Option<string> => {
  const match = /^([0-9a-fA-F]{40})(?:[ \t]+\*?(.+?))?\s*$/.exec(text.trim())
  if (match === null) return Option.none()
  const named = match[2]
  if (named !== undefined && path.posix.basename(named) !== dataName) return Option.none()
  return Option.some(match[1]!.toLowerCase())
}
