/**
 * The API's refusals. Each body is `{"message": "..."}` and nothing else, as
 * clients of the hub have always read them. In the program each refusal is
 * a tagged error, so the HttpApi encoder can tell them apart (it matches an
 * error to a schema by its shape, and a bare `{message}` shape would match
 * them all); the tag stays out of the body.
 */
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as Schema from "effect/Schema"

/**
 * The schema HttpApi gets for a tagged error class: its fields as the body,
 * without `_tag`, answered with `status`.
 */
export const untaggedBody = <Self extends { readonly _tag: string }, I, Fields extends Schema.Struct.Fields>(
  error: Schema.Schema<Self, I> & { new(props: Schema.Struct.Type<Fields>): Self },
  fields: Fields,
  annotations: { readonly identifier: string; readonly status: number; readonly description: string }
) =>
  Schema.transform(Schema.Struct(fields), Schema.typeSchema(error), {
    strict: false,
    decode: (body) => new error(body as Schema.Struct.Type<Fields>),
    // Field by field: an error's `message` is not an own enumerable property, so spreading would lose it;
    // an optional field the error lacks stays absent (an exact optional refuses `undefined`).
    encode: (error) => {
      const source = error as unknown as Readonly<Record<string, unknown>>
      const body: Record<string, unknown> = {}
      for (const key of Object.keys(fields)) if (key in source) body[key] = source[key]
      return body as Schema.Struct.Encoded<Fields>
    }
  }).annotations({
    identifier: annotations.identifier,
    description: annotations.description,
    ...HttpApiSchema.annotations({ status: annotations.status })
  })

const messageFields = { message: Schema.String.annotations({ description: "What was wrong, for a person to read" }) }

/** 400: a parameter the request got wrong, named first in the message. */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()("InvalidRequest", messageFields) {}

export const InvalidRequestBody = untaggedBody(InvalidRequest, messageFields, {
  identifier: "InvalidRequest",
  status: 400,
  description: "A parameter is missing or malformed; the message names it"
})

/** 404: a radar site the hub does not know. */
export class UnknownSite extends Schema.TaggedError<UnknownSite>()("UnknownSite", messageFields) {}

export const UnknownSiteBody = untaggedBody(UnknownSite, messageFields, {
  identifier: "UnknownSite",
  status: 404,
  description: "No radar with this site code"
})

/** 503: the hub is up but a resource behind the answer (the database) is not. */
export class ServiceUnavailable extends Schema.TaggedError<ServiceUnavailable>()("ServiceUnavailable", messageFields) {}

export const ServiceUnavailableBody = untaggedBody(ServiceUnavailable, messageFields, {
  identifier: "ServiceUnavailable",
  status: 503,
  description: "A resource the answer needs is unavailable"
})
