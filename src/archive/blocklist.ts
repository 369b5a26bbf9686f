/**
 * The SuperDARN Data Distribution Working Group's blocklist of known-bad
 * files: one file name per line, `#` starts a comment. A name is blocked in
 * any compression spelling (`x.rawacf`, `x.rawacf.bz2`, `x.rawacf.gz`).
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"

export class BlocklistError extends Data.TaggedError("BlocklistError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return `blocklist ${this.path}: ${this.reason}`
  }
}

/** The name without a compression suffix: the key every spelling shares. */
const blockKey = (name: string): string => name.replace(/\.(bz2|gz)$/, "")

export interface Blocklist {
  readonly has: (name: string) => boolean
  readonly size: number
}

export const parseBlocklist = (texts: ReadonlyArray<string>): Blocklist => {
  const keys = new Set<string>()
  for (const text of texts) {
    for (const line of text.split(/\r?\n/)) {
      const name = line.replace(/#.*$/, "").trim().split(/\s+/)[0]
      if (name !== undefined && name !== "") keys.add(blockKey(name))
    }
  }
  return { has: (name) => keys.has(blockKey(name)), size: keys.size }
}

/** Read and merge the configured lists; a list that cannot be read fails the run rather than let its files in. */
export const loadBlocklist = (paths: ReadonlyArray<string>): Effect.Effect<Blocklist, BlocklistError> =>
  Effect.map(
    Effect.forEach(paths, (path) =>
      Effect.tryPromise({
        try: () => fs.promises.readFile(path, "utf8"),
        catch: (error) => new BlocklistError({ path, reason: (error as Error).message })
      })),
    parseBlocklist
  )
