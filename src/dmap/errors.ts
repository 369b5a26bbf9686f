import * as Data from "effect/Data"

/** Why a DMAP byte sequence was refused. */
export type DmapErrorReason =
  | "Truncated"
  | "BadRecordCode"
  | "SizeTooSmall"
  | "SizeTooLarge"
  | "SizeMismatch"
  | "UnknownType"
  | "NestedRecord"
  | "BadDimensionCount"
  | "NegativeDimension"
  | "DataPastRecord"
  | "UnterminatedString"
  | "BadEntryCount"

/** A DMAP decode failure, located at an absolute byte offset of the input. */
export class DmapDecodeError extends Data.TaggedError("DmapDecodeError")<{
  readonly offset: number
  readonly reason: DmapErrorReason
  readonly detail: string
  /** For a record cut short: the size its header announced, when the header was complete enough to say. */
  readonly recordSize?: number
}> {
  override get message(): string {
    return `DMAP ${this.reason} at byte ${this.offset}: ${this.detail}`
  }
}
