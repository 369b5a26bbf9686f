/** Reading and validating `archive.config.json`, with one readable error. */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import { ArchiveConfig } from "./archive-config.js"

export class ArchiveConfigError extends Data.TaggedError("ArchiveConfigError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return `${this.path}: ${this.reason}`
  }
}

const decode = Schema.decodeUnknownEither(ArchiveConfig, { errors: "all", onExcessProperty: "error" })

/** Validate already-parsed JSON; `path` only labels the errors. */
export const decodeArchiveConfig = (json: unknown, path: string) =>
  Effect.mapError(
    decode(json),
    (error) =>
      new ArchiveConfigError({
        path,
        reason: ParseResult.ArrayFormatter.formatErrorSync(error)
          .map((issue) => `${issue.path.length === 0 ? "(root)" : issue.path.join(".")}: ${issue.message}`)
          .join("; ")
      })
  )

export const loadArchiveConfig = (path: string): Effect.Effect<ArchiveConfig, ArchiveConfigError> =>
  Effect.gen(function*() {
    const text = yield* Effect.tryPromise({
      try: () => fs.promises.readFile(path, "utf8"),
      catch: (error) => new ArchiveConfigError({ path, reason: `cannot read: ${(error as Error).message}` })
    })
    const json = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: (error) => new ArchiveConfigError({ path, reason: `not valid JSON: ${(error as Error).message}` })
    })
    return yield* decodeArchiveConfig(json, path)
  })
