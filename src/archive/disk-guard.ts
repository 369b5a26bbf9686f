/** The low-disk guard: collecting stops before a full disk can truncate anything. */
import * as fs from "node:fs"

/** Bytes available to an unprivileged writer on the file system holding `dir`. */
export const freeBytes = async (dir: string): Promise<number> => {
  const stats = await fs.promises.statfs(dir)
  return stats.bavail * stats.bsize
}

/** The first folder short of `minFreeBytes`, with its free space; undefined when all have room. */
export const lowDisk = async (
  dirs: ReadonlyArray<string>,
  minFreeBytes: number
): Promise<{ readonly dir: string; readonly free: number } | undefined> => {
  for (const dir of dirs) {
    const free = await freeBytes(dir)
    if (free < minFreeBytes) return { dir, free }
  }
  return undefined
}
