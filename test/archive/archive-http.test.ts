/** `GET /archive/files` and `/archive/gaps` on a real server over a real SQLite journal, and without one. */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as path from "node:path"
import { ApiDocsRoutes } from "../../src/http/api-docs-routes.js"
import { ArchiveHttp } from "../../src/http/archive-http.js"
import { ArchiveJournal } from "../../src/layers/archive/ArchiveJournal.js"
import type { FileRow } from "../../src/layers/archive/journal-row.js"
import { databaseLayer } from "../../src/layers/platform/database.js"
import { HttpServer } from "../../src/layers/platform/HttpServer.js"
import { httpServerLayer } from "../realtime/live/server-layers.js"
import { scopedTree } from "./archive-fixture.js"

const FILED_AT = Date.parse("2026-11-20T12:00:00Z")

const row = (name: string, institution = "vt"): FileRow => ({
  institution,
  name,
  state: "archived",
  archiveName: name,
  destination: `/archive/${name}`,
  sourceSize: 10,
  sourceMtime: FILED_AT,
  sourceSha1: null,
  sha1: "a".repeat(40),
  archivedSha1: "b".repeat(40),
  archivedSize: 1234,
  attempts: 1,
  lastError: null,
  note: null,
  runId: "r",
  firstSeenAt: FILED_AT,
  updatedAt: FILED_AT,
  tidiedAt: null
})

const get = (url: string) =>
  Effect.promise(async () => {
    const response = await fetch(url)
    return { status: response.status, body: await response.json() as unknown }
  })

const DAY = "radar=sas&type=rawacf&from=2026-11-01&to=2026-11-02"

describe("GET /archive/files and /archive/gaps", () => {
  it.scopedLive("answer from the journal: files by start time, missing slots, 400 naming a bad parameter", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const journalLayer = ArchiveJournal.Default.pipe(
        Layer.provide(databaseLayer(path.join(tree.root, "journal.sqlite")))
      )
      yield* Effect.gen(function*() {
        const journal = yield* ArchiveJournal
        for (let hour = 0; hour < 24; hour += 2) {
          if (hour === 6) continue
          yield* journal.save(
            row(`20261101.${String(hour).padStart(2, "0")}00.00.sas.rawacf.bz2`, hour < 12 ? "vt" : "usask")
          )
        }
        yield* journal.save(row("20261101.0600.00.pgr.rawacf.bz2"))
        const { url } = yield* HttpServer

        const files = yield* get(`${url}/archive/files?${DAY}`)
        expect(files.status).toBe(200)
        const listed = files.body as Array<Record<string, unknown>>
        expect(listed).toHaveLength(11)
        expect(listed[0]).toEqual({
          name: "20261101.0000.00.sas.rawacf.bz2",
          start: "2026-11-01T00:00:00Z",
          size: 1234,
          sha1: "b".repeat(40),
          filedAt: "2026-11-20T12:00:00.000Z",
          institution: "vt"
        })
        expect(listed[10]!["institution"]).toBe("usask")

        const gaps = yield* get(`${url}/archive/gaps?${DAY}`)
        expect(gaps).toEqual({ status: 200, body: [{ from: "2026-11-01T06:00:00Z", to: "2026-11-01T08:00:00Z" }] })

        const badRadar = yield* get(`${url}/archive/gaps?radar=SAS&type=rawacf&from=2026-11-01&to=2026-11-02`)
        expect(badRadar).toEqual({
          status: 400,
          body: { message: `radar: expected a three-letter radar code, got "SAS"` }
        })
        const backwards = yield* get(`${url}/archive/files?radar=sas&type=rawacf&from=2026-11-02&to=2026-11-01`)
        expect(backwards).toEqual({ status: 400, body: { message: "to: must be after from (2026-11-02)" } })
        const missing = yield* get(`${url}/archive/files?radar=sas&type=rawacf&from=2026-11-01`)
        expect(missing.status).toBe(400)
        expect(JSON.stringify(missing.body)).toContain("to")

        const spec = (yield* get(`${url}/openapi.json`)).body as { paths: Record<string, Record<string, unknown>> }
        expect(spec.paths["/archive/files"]?.["get"]).toBeDefined()
        expect(spec.paths["/archive/gaps"]?.["get"]).toBeDefined()
      }).pipe(
        Effect.provide(
          httpServerLayer(Layer.mergeAll(ArchiveHttp, ApiDocsRoutes)).pipe(Layer.provideMerge(journalLayer))
        )
      )
    }))

  it.scopedLive("answer 404 {message} when the process runs no collectors", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      expect(yield* get(`${url}/archive/files?${DAY}`)).toEqual({
        status: 404,
        body: { message: "no archive in this process" }
      })
      expect(yield* get(`${url}/archive/gaps?${DAY}`)).toEqual({
        status: 404,
        body: { message: "no archive in this process" }
      })
    }).pipe(Effect.provide(httpServerLayer(ArchiveHttp))))
})
