/**
 * Files that ship with the package (data/, public/, package.json), found from
 * the package root rather than from this module's own place: the module may
 * run from src/ under the tests, from dist/ after a build, or from a bundle,
 * each at a different depth.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const findRoot = (start: string): string => {
  for (let dir = start;; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "data"))) return dir
    if (path.dirname(dir) === dir) throw new Error(`superdarn-hub: no package root above ${start}`)
  }
}

let root: string | undefined

/** The installed package's root folder (where package.json is). */
export const packageRoot = (): string => (root ??= findRoot(path.dirname(fileURLToPath(import.meta.url))))

/** A path inside the package, e.g. `packagePath("data", "replay")`. */
export const packagePath = (...segments: ReadonlyArray<string>): string => path.join(packageRoot(), ...segments)

let version: string | undefined

/** The package's version, from its package.json. */
export const packageVersion =
  (): string => (version ??=
    (JSON.parse(fs.readFileSync(packagePath("package.json"), "utf8")) as { version: string }).version)
