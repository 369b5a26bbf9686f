import * as Data from "effect/Data"

/** The database cannot be used: which one, why, and (when we know it) what to do about it. */
export class DatabaseOpenError extends Data.TaggedError("DatabaseOpenError")<{
  readonly path: string
  readonly reason: string
  readonly fix?: string
}> {
  override get message(): string {
    return `cannot open database ${this.path}: ${this.reason}${this.fix === undefined ? "" : `; ${this.fix}`}`
  }
}
