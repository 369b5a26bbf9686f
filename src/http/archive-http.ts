/**
 * The handlers of `GET /archive/files` and `GET /archive/gaps`. The journal is
 * optional: `serve` provides it only with the collectors (--archive-config).
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import {
  findGaps,
  gapJson,
  heldFileJson,
  type InventoryQuery,
  parseInventoryQuery
} from "../domain/archive-inventory.js"
import { ArchiveJournal } from "../layers/archive/ArchiveJournal.js"
import { NoArchive } from "./archive-api.js"
import { HubApi } from "./hub-api.js"
import { InvalidRequest, ServiceUnavailable } from "./message-errors.js"

export const ArchiveHttp = HttpApiBuilder.group(HubApi, "archive", (handlers) =>
  Effect.gen(function*() {
    const journal = yield* Effect.serviceOption(ArchiveJournal)

    const held = (params: { radar: string; type: string; from: string; to: string }) =>
      Effect.gen(function*() {
        if (Option.isNone(journal)) return yield* new NoArchive({ message: "no archive in this process" })
        const query = parseInventoryQuery(params)
        if (Either.isLeft(query)) return yield* new InvalidRequest({ message: query.left.message })
        const files = yield* journal.value.held(query.right).pipe(
          Effect.tapError((error) => Effect.logWarning(error.message)),
          Effect.mapError(() => new ServiceUnavailable({ message: "the archive journal could not be read" }))
        )
        return { query: query.right as InventoryQuery, files }
      })

    return handlers
      .handle("files", ({ urlParams }) =>
        held(urlParams).pipe(
          Effect.map(({ files }) => files.map(heldFileJson)),
          Effect.withSpan("GET /archive/files")
        ))
      .handle("gaps", ({ urlParams }) =>
        held(urlParams).pipe(
          Effect.map(({ files, query }) =>
            findGaps(query.fromMs, query.toMs, files.map((file) => file.startMs)).map(gapJson)
          ),
          Effect.withSpan("GET /archive/gaps")
        ))
  }))
