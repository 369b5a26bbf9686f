import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import {
  InvalidRequest,
  InvalidRequestBody,
  ServiceUnavailable,
  ServiceUnavailableBody,
  UnknownSite,
  UnknownSiteBody,
  untaggedBody
} from "../../src/http/message-errors.js"

describe("untaggedBody", () => {
  it("encodes a refusal as {message} alone, and tells refusals of the same shape apart", () => {
    const refusals = Schema.Union(InvalidRequestBody, UnknownSiteBody, ServiceUnavailableBody)
    const encode = Schema.encodeUnknownEither(refusals)
    expect(encode(new ServiceUnavailable({ message: "down" }))).toEqual(Either.right({ message: "down" }))
    // Each body schema takes only its own error: a bare {message} shape would take any of them.
    expect(Either.isLeft(Schema.encodeUnknownEither(InvalidRequestBody)(new UnknownSite({ message: "x" })))).toBe(true)
    expect(Either.isLeft(Schema.encodeUnknownEither(InvalidRequestBody)({ message: "x" }))).toBe(true)
    const decoded = Schema.decodeUnknownSync(InvalidRequestBody)({ message: "site_name is required" })
    expect(decoded).toBeInstanceOf(InvalidRequest)
    expect(decoded.message).toBe("site_name is required")
  })

  it("leaves an optional field the error lacks out of the body", () => {
    const fields = { status: Schema.String, extra: Schema.optionalWith(Schema.Number, { exact: true }) }
    class Report extends Schema.TaggedError<Report>()("Report", fields) {}
    const body = untaggedBody(Report, fields, { identifier: "Report", status: 503, description: "a report" })
    expect(Schema.encodeSync(body)(new Report({ status: "down" }))).toEqual({ status: "down" })
    expect(Schema.encodeSync(body)(new Report({ status: "down", extra: 2 }))).toEqual({ status: "down", extra: 2 })
  })
})
