/**
 * What can be known about a SQLite path before SQLite opens it, so that a
 * wrong DATABASE_PATH is refused with the path, the cause and the fix rather
 * than "unable to open database file" or "attempt to write a readonly
 * database" at the first write.
 *
 * The folder is created one component at a time: Node's recursive mkdir
 * loops for ever under /proc (procfs answers neither EEXIST nor ENOENT the
 * way it expects), so kernel file systems are refused by name and every
 * other path is created in at most as many steps as it has components.
 */
import * as Either from "effect/Either"
import * as fs from "node:fs"
import * as path from "node:path"
import { describeUnknown, isErrno } from "../../domain/unknown-error.js"
import { DatabaseOpenError } from "./database-open-error.js"

/** File systems of the kernel, not disks: nothing may be created there. */
const KERNEL_FILE_SYSTEMS = ["/proc", "/sys"]

const SQLITE_HEADER = Buffer.from("SQLite format 3\0", "latin1")

/** A user id as its name from /etc/passwd, else `uid N`. */
export const userName = (uid: number): string => {
  try {
    for (const line of fs.readFileSync("/etc/passwd", "utf8").split("\n")) {
      const [name, , id] = line.split(":")
      if (name !== undefined && Number(id) === uid && id !== "") return name
    }
  } catch {
    // No passwd file (a minimal container): the number still identifies the owner.
  }
  return `uid ${uid}`
}

const currentUser = (): string => (typeof process.getuid === "function" ? userName(process.getuid()) : "this user")

const ownerAndMode = (stat: fs.Stats): string =>
  `owned by ${userName(stat.uid)}, mode ${(stat.mode & 0o777).toString(8).padStart(4, "0")}`

const can = (file: string, mode: number): boolean => {
  try {
    fs.accessSync(file, mode)
    return true
  } catch {
    return false
  }
}

const statOrUndefined = (file: string): fs.Stats | undefined => {
  try {
    return fs.statSync(file)
  } catch (error) {
    // ENOTDIR: a parent is a file; the walk up the path finds and names it.
    if (isErrno(error, "ENOENT") || isErrno(error, "ENOTDIR")) return undefined
    throw error
  }
}

/** Creates `folder` and its missing parents, one bounded step each. */
const createFolder = (filename: string, folder: string): Either.Either<void, DatabaseOpenError> => {
  const missing: Array<string> = []
  let current = folder
  while (statOrUndefined(current) === undefined) {
    missing.unshift(current)
    const parent = path.dirname(current)
    if (parent === current) break
    current = parent
  }
  const existing = statOrUndefined(current)
  if (existing !== undefined && !existing.isDirectory()) {
    return Either.left(
      new DatabaseOpenError({
        path: filename,
        reason: `${current} is a file, not a folder`,
        fix: "choose a DATABASE_PATH whose folders are folders"
      })
    )
  }
  for (const step of missing) {
    try {
      fs.mkdirSync(step)
    } catch (error) {
      if (isErrno(error, "EEXIST")) continue
      const parent = path.dirname(step)
      const parentStat = statOrUndefined(parent)
      return Either.left(
        new DatabaseOpenError({
          path: filename,
          reason: `cannot create the folder ${step}: ${describeUnknown(error)}`,
          fix: parentStat === undefined
            ? "choose a path on a writable disk"
            : `create it as ${currentUser()} can (${parent} is ${
              ownerAndMode(parentStat)
            }) or choose another DATABASE_PATH`
        })
      )
    }
    if (statOrUndefined(step)?.isDirectory() !== true) {
      return Either.left(
        new DatabaseOpenError({
          path: filename,
          reason: `creating the folder ${step} did not make a folder`,
          fix: "choose a path on a disk"
        })
      )
    }
  }
  return Either.void
}

/**
 * Checks `filename` and creates its folder. Right when SQLite may open it;
 * SQLite's own errors are still mapped by the caller.
 */
export const checkDatabaseFile = (filename: string): Either.Either<void, DatabaseOpenError> => {
  if (filename === ":memory:") return Either.void
  const absolute = path.resolve(filename)
  const kernel = KERNEL_FILE_SYSTEMS.find((root) => absolute === root || absolute.startsWith(`${root}/`))
  if (kernel !== undefined) {
    return Either.left(
      new DatabaseOpenError({
        path: filename,
        reason: `${kernel} is a kernel file system, not a disk`,
        fix: "choose a DATABASE_PATH on a disk, e.g. /var/lib/superdarn-hub/superdarn-hub.sqlite"
      })
    )
  }
  try {
    const folder = path.dirname(absolute)
    const created = createFolder(filename, folder)
    if (Either.isLeft(created)) return created
    const folderStat = fs.statSync(folder)
    // SQLite writes its -wal and -shm files beside the database.
    if (!can(folder, fs.constants.W_OK | fs.constants.X_OK)) {
      return Either.left(
        new DatabaseOpenError({
          path: filename,
          reason: `the folder ${folder} is not writable by ${currentUser()} (${ownerAndMode(folderStat)})`,
          fix: `chown ${currentUser()} ${folder}, or choose another DATABASE_PATH`
        })
      )
    }
    const stat = statOrUndefined(absolute)
    if (stat === undefined) return Either.void
    if (stat.isDirectory()) {
      return Either.left(
        new DatabaseOpenError({
          path: filename,
          reason: "it is a folder",
          fix: `DATABASE_PATH names the database file, e.g. ${path.join(filename, "superdarn-hub.sqlite")}`
        })
      )
    }
    if (!can(absolute, fs.constants.R_OK | fs.constants.W_OK)) {
      return Either.left(
        new DatabaseOpenError({
          path: filename,
          reason: `the file is not writable by ${currentUser()} (${ownerAndMode(stat)})`,
          fix: `chown ${currentUser()} ${filename} (and its -wal and -shm files), or run as ${userName(stat.uid)}`
        })
      )
    }
    if (stat.size > 0) {
      const head = Buffer.alloc(SQLITE_HEADER.length)
      const fd = fs.openSync(absolute, "r")
      const read = (() => {
        try {
          return fs.readSync(fd, head, 0, head.length, 0)
        } finally {
          fs.closeSync(fd)
        }
      })()
      if (read < head.length || !head.equals(SQLITE_HEADER)) {
        const bytes = [...head.subarray(0, Math.min(read, 8))].map((b) => b.toString(16).padStart(2, "0")).join(" ")
        return Either.left(
          new DatabaseOpenError({
            path: filename,
            reason: `it is not a SQLite database (starts with bytes ${bytes} …)`,
            fix: "point DATABASE_PATH at a new file name, or move this file away"
          })
        )
      }
    }
    return Either.void
  } catch (error) {
    return Either.left(new DatabaseOpenError({ path: filename, reason: describeUnknown(error) }))
  }
}

/** SQLite's own words for the problems it finds after opening, with the fix. */
export const explainSqliteError = (filename: string, error: unknown): DatabaseOpenError => {
  const text = describeUnknown(error)
  if (/readonly database/i.test(text)) {
    const stat = statOrUndefined(path.resolve(filename))
    return new DatabaseOpenError({
      path: filename,
      reason: `the file is read-only for ${currentUser()}${stat === undefined ? "" : ` (${ownerAndMode(stat)})`}`,
      fix: `chown ${currentUser()} ${filename} and its -wal and -shm files, or choose another DATABASE_PATH`
    })
  }
  if (/file is not a database|file is encrypted/i.test(text)) {
    return new DatabaseOpenError({
      path: filename,
      reason: "it is not a SQLite database",
      fix: "point DATABASE_PATH at a new file name, or move this file away"
    })
  }
  return new DatabaseOpenError({ path: filename, reason: text })
}
