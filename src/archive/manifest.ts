/**
 * Monthly hash manifests, the mirrors' way of comparing holdings: in each
 * archive folder, `<yyyymm>.hashes` lists every file of that month as
 * `sha1sum` prints it (`<sha1>  <name>`), sorted by name. Rewritten whole
 * after a run files something, atomically (temporary name, fsync, rename,
 * fsync the folder), so a reader sees the old list or the new, never half.
 * `verifyManifest` re-hashes the files against one and changes nothing.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { describeUnknown, isErrno } from "../domain/unknown-error.js"
import { fsyncDir, removeIfExists, sha1File } from "./durable-file.js"

export class ManifestError extends Data.TaggedError("ManifestError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return `manifest ${this.path}: ${this.reason}`
  }
}

const manifestError = (at: string) => (error: unknown) =>
  new ManifestError({ path: at, reason: describeUnknown(error) })

export const MANIFEST_SUFFIX = ".hashes"
const MANIFEST_NAME = /^(\d{6})\.hashes$/

/** The month a data or log file name starts with (`20261130.…` → `202611`), or undefined. */
export const monthOf = (name: string): string | undefined => /^(\d{6})\d{2}\./.exec(name)?.[1]

/** Files of `month` in `folder`, the manifest itself, hidden and temporary names aside. */
const monthFiles = async (folder: string, month: string): Promise<ReadonlyArray<string>> => {
  const entries = await fs.promises.readdir(folder, { withFileTypes: true }).catch((error: unknown) => {
    if (isErrno(error, "ENOENT")) return []
    throw error
  })
  return entries
    .filter((entry) => entry.isFile() && !entry.name.startsWith(".") && !entry.name.endsWith(MANIFEST_SUFFIX))
    .map((entry) => entry.name)
    .filter((name) => monthOf(name) === month)
    .sort()
}

export const manifestText = (entries: ReadonlyArray<{ readonly name: string; readonly sha1: string }>): string =>
  [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((e) => `${e.sha1}  ${e.name}\n`)
    .join("")

/**
 * Rewrite `<folder>/<month>.hashes`. `knownSha1` gives the hashes the journal
 * already holds (so a month of 50 MB files is not re-read each run); a file
 * it does not know is hashed from disk.
 */
export const writeManifest = (folder: string, month: string, knownSha1: (file: string) => string | undefined) =>
  Effect.tryPromise({
    try: async () => {
      const names = await monthFiles(folder, month)
      const entries = []
      for (const name of names) {
        const file = path.join(folder, name)
        entries.push({ name, sha1: knownSha1(file) ?? (await sha1File(file)) })
      }
      const target = path.join(folder, `${month}${MANIFEST_SUFFIX}`)
      const temporary = path.join(folder, `.${month}${MANIFEST_SUFFIX}.partial`)
      const handle = await fs.promises.open(temporary, "w")
      try {
        await handle.writeFile(manifestText(entries))
        await handle.sync()
      } finally {
        await handle.close()
      }
      await fs.promises.rename(temporary, target).catch(async (error: unknown) => {
        await removeIfExists(temporary)
        throw error
      })
      await fsyncDir(folder)
      return { path: target, files: entries.length }
    },
    catch: manifestError(path.join(folder, `${month}${MANIFEST_SUFFIX}`))
  })

export interface ManifestCheck {
  readonly manifest: string
  readonly checked: number
  readonly missing: ReadonlyArray<string>
  readonly extra: ReadonlyArray<string>
  /** Content differs from the manifest's SHA-1: bit rot, or replaced. */
  readonly changed: ReadonlyArray<string>
  /** Lines that are not `sha1  name`. */
  readonly unreadable: ReadonlyArray<string>
}

export const isClean = (check: ManifestCheck) =>
  check.missing.length + check.extra.length + check.changed.length + check.unreadable.length === 0

const LINE = /^([0-9a-f]{40}) [ *](.+)$/

/** Re-hash the files `manifest` lists and look for ones it does not. */
export const verifyManifest = (manifest: string) =>
  Effect.tryPromise({
    try: async (): Promise<ManifestCheck> => {
      const folder = path.dirname(manifest)
      const month = MANIFEST_NAME.exec(path.basename(manifest))?.[1] ?? ""
      const listed = new Map<string, string>()
      const unreadable: Array<string> = []
      for (const line of (await fs.promises.readFile(manifest, "utf8")).split("\n")) {
        if (line === "") continue
        const match = LINE.exec(line)
        if (match === null) unreadable.push(line)
        else listed.set(match[2]!, match[1]!)
      }
      const missing: Array<string> = []
      const changed: Array<string> = []
      for (const [name, sha1] of listed) {
        const file = path.join(folder, name)
        const actual = await sha1File(file).catch((error: unknown) => {
          if (isErrno(error, "ENOENT")) return undefined
          throw error
        })
        if (actual === undefined) missing.push(name)
        else if (actual !== sha1) changed.push(name)
      }
      const extra = (await monthFiles(folder, month)).filter((name) => !listed.has(name))
      return { manifest, checked: listed.size, missing, extra, changed, unreadable }
    },
    catch: manifestError(manifest)
  })

/** Every `<yyyymm>.hashes` under `root`, sorted; `month` keeps only that month's. */
export const findManifests = (root: string, month: string | undefined) =>
  Effect.tryPromise({
    try: async () => {
      const entries = await fs.promises.readdir(root, { recursive: true, withFileTypes: true }).catch(
        (error: unknown) => {
          if (isErrno(error, "ENOENT")) return []
          throw error
        }
      )
      return entries
        .filter((entry) => entry.isFile())
        .filter((entry) => {
          const found = MANIFEST_NAME.exec(entry.name)
          return found !== null && (month === undefined || found[1] === month)
        })
        .map((entry) => path.join(entry.parentPath, entry.name))
        .sort()
    },
    catch: manifestError(root)
  })
