/**
 * File-system steps that survive a crash: data is fsynced before it gets its
 * final name, final names are made with link() (which refuses to overwrite),
 * and folders are fsynced so the new name itself is durable.
 */
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { isErrno } from "../domain/unknown-error.js"

export const fsyncFile = async (file: string): Promise<void> => {
  const handle = await fs.promises.open(file, "r+")
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

export const fsyncDir = async (dir: string): Promise<void> => {
  const handle = await fs.promises.open(dir, "r")
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** `link(from, to)`; "exists" when `to` is already taken (never replaced). */
export const linkNoOverwrite = async (from: string, to: string): Promise<"linked" | "exists"> => {
  try {
    await fs.promises.link(from, to)
    return "linked"
  } catch (error) {
    if (isErrno(error, "EEXIST")) return "exists"
    throw error
  }
}

export const removeIfExists = async (file: string): Promise<void> => {
  await fs.promises.unlink(file).catch((error: unknown) => {
    if (!isErrno(error, "ENOENT")) throw error
  })
}

export const exists = async (file: string): Promise<boolean> => {
  try {
    await fs.promises.lstat(file)
    return true
  } catch (error) {
    if (isErrno(error, "ENOENT")) return false
    throw error
  }
}

/** Lower-case hex SHA-1 of a file, streamed. */
export const sha1File = (file: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const hash = createHash("sha1")
    const input = fs.createReadStream(file, { highWaterMark: 1 << 20 })
    input.on("data", (chunk) => hash.update(chunk))
    input.on("error", reject)
    input.on("end", () => resolve(hash.digest("hex")))
  })

/**
 * Copy `from` to `to` durably without ever exposing a partial `to`: copy to
 * `temporary` in the same folder, fsync, link to `to`, unlink, fsync the
 * folder. "exists" when `to` was already there (left untouched).
 */
export const copyDurably = async (from: string, temporary: string, to: string): Promise<"linked" | "exists"> => {
  await removeIfExists(temporary)
  await fs.promises.copyFile(from, temporary)
  await fsyncFile(temporary)
  const result = await linkNoOverwrite(temporary, to)
  await removeIfExists(temporary)
  await fsyncDir(path.dirname(to))
  return result
}
