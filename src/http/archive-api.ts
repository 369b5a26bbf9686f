/**
 * `GET /archive/files` and `GET /archive/gaps`: what the archive holds for one
 * radar and file type over a time range, and its missing two-hour slots (see
 * src/domain/archive-inventory.ts). Answered from the archive journal when the
 * collectors run in the hub's process; otherwise 404 "no archive in this
 * process", so a client can tell "no archive here" from "nothing archived".
 */
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"
import { InvalidRequestBody, ServiceUnavailableBody, untaggedBody } from "./message-errors.js"

export const ArchiveParams = Schema.Struct({
  radar: Schema.String.annotations({ description: "Three-letter radar code, e.g. sas" }),
  type: Schema.String.annotations({ description: "File type, e.g. rawacf" }),
  from: Schema.String.annotations({ description: "Start, ISO 8601 date or date-time (UTC unless zoned)" }),
  to: Schema.String.annotations({ description: "End (exclusive), ISO 8601; at most 366 days after from" })
})

const Iso = Schema.String.annotations({ description: "ISO 8601 UTC" })

export const HeldFileSchema = Schema.Struct({
  name: Schema.String.annotations({ description: "The name it is archived under (.bz2)" }),
  start: Iso,
  size: Schema.NullOr(Schema.Number).annotations({ description: "Bytes of the .bz2 as filed" }),
  sha1: Schema.NullOr(Schema.String).annotations({ description: "SHA-1 of the .bz2 as filed" }),
  filedAt: Iso,
  institution: Schema.String.annotations({ description: "The institution it was collected from" })
}).annotations({ identifier: "ArchivedFile", description: "A file held in the archive" })

export const GapSchema = Schema.Struct({ from: Iso, to: Iso }).annotations({
  identifier: "ArchiveGap",
  description: "A two-hour slot (even UTC hours, cut to the range) in which no file starts"
})

/** 404: this process runs no collectors, so it has no archive journal to read. */
export class NoArchive extends Schema.TaggedError<NoArchive>()("NoArchive", {
  message: Schema.String.annotations({ description: "What was wrong, for a person to read" })
}) {}

export const NoArchiveBody = untaggedBody(NoArchive, { message: Schema.String }, {
  identifier: "NoArchive",
  status: 404,
  description: "The hub runs no archive collectors (serve without --archive-config)"
})

export class ArchiveGroup extends HttpApiGroup.make("archive")
  .add(
    HttpApiEndpoint.get("files", "/archive/files")
      .setUrlParams(ArchiveParams)
      .addSuccess(Schema.Array(HeldFileSchema))
      .annotate(OpenApi.Summary, "The archive's files for a radar and type whose data starts in [from, to), by start")
  )
  .add(
    HttpApiEndpoint.get("gaps", "/archive/gaps")
      .setUrlParams(ArchiveParams)
      .addSuccess(Schema.Array(GapSchema))
      .annotate(OpenApi.Summary, "The two-hour slots of [from, to) in which no archived file starts")
  )
  .addError(InvalidRequestBody)
  .addError(NoArchiveBody)
  .addError(ServiceUnavailableBody)
  .annotate(OpenApi.Description, "The archive's holdings and gaps, from the collectors' journal")
{}
