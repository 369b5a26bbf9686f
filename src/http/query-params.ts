/**
 * Query-parameter Schemas shared by the API's endpoints, so every endpoint
 * refuses the same mistake with the same words.
 */
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { parseIsoInstant } from "../domain/iso-instant.js"

/** The refused value as the client sent it, quoted. */
export const shown = (actual: unknown): string => JSON.stringify(actual) ?? String(actual)

/** A query parameter is a string, or an array when it was repeated. */
export const QueryText = Schema.String.annotations({ message: () => "must be given once" })

/** Any valid ISO 8601 date or date-time → epoch ms. */
export const IsoInstantParam = Schema.transformOrFail(QueryText, Schema.Number, {
  strict: true,
  decode: (text, _, ast) =>
    Option.match(parseIsoInstant(text), {
      onNone: () => ParseResult.fail(new ParseResult.Type(ast, text)),
      onSome: ParseResult.succeed
    }),
  encode: (ms) => ParseResult.succeed(new Date(ms).toISOString())
}).annotations({ message: (issue) => `must be an ISO 8601 date or date-time, got ${shown(issue.actual)}` })
