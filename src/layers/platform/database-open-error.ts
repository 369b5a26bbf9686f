import { Data } from "effect"

export class DatabaseOpenError extends Data.TaggedError("DatabaseOpenError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return `cannot open database ${this.path}: ${this.reason}`
  }
}
