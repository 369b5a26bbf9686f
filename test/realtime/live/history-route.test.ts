import { OpenApi } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { withScalars } from "../../../src/dmap/record.js"
import type { DmapRecord } from "../../../src/dmap/types.js"
import { HistoryHttp } from "../../../src/http/history-http.js"
import { HubApi } from "../../../src/http/hub-api.js"
import { HttpServer } from "../../../src/layers/platform/HttpServer.js"
import { History } from "../../../src/layers/realtime/History.js"
import { Hub } from "../../../src/layers/realtime/Hub.js"
import { LiveFeed } from "../../../src/layers/realtime/LiveFeed.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { northRecords, radarRecord } from "../hub/fixture-records.js"
import { connectClient } from "./clients.js"
import { expectedPacket } from "./expected-packet.js"
import { httpServerLayer } from "./server-layers.js"

testsNeedProgram("bzip2", "bzip2")

const layer = LiveFeed.layer().pipe(
  Layer.provideMerge(httpServerLayer(HistoryHttp)),
  Layer.provideMerge(History.layer({ minutes: 10 })),
  Layer.provideMerge(Hub.Default),
  Layer.provideMerge(RadarRegistry.Default)
)

const at = (i: number, ms: number): DmapRecord => {
  const t = new Date(ms)
  return withScalars(northRecords()[i % 100]!, {
    "time.yr": t.getUTCFullYear(),
    "time.mo": t.getUTCMonth() + 1,
    "time.dy": t.getUTCDate(),
    "time.hr": t.getUTCHours(),
    "time.mt": t.getUTCMinutes(),
    "time.sc": t.getUTCSeconds(),
    "time.us": (ms % 1000) * 1000
  })
}

const get = (url: string) =>
  Effect.promise(async () => {
    const response = await fetch(url)
    return { status: response.status, headers: response.headers, body: (await response.json()) as unknown }
  })

describe("GET /radars/{site}/history", () => {
  it.scopedLive("answers the same packets as Socket.IO, oldest first, since honoured; bad input 400, unknown site 404", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const client = yield* connectClient(url)
      const start = Date.now() - 60_000
      const records = Array.from({ length: 12 }, (_, i) => at(i, start + i * 1000))
      yield* Effect.flatMap(
        Hub,
        (hub) => Effect.forEach(records, (r) => hub.publish(radarRecord("han", r)), { discard: true })
      )
      yield* client.take(records.length)

      const all = yield* get(`${url}/radars/han/history`)
      expect(all.status).toBe(200)
      expect(all.headers.get("content-type")).toBe("application/json")
      expect(all.headers.get("cache-control")).toBe("no-store")
      expect(all.body).toEqual(records.map((r) => expectedPacket("han", r)))
      const viaSocket = (yield* client.request("history", { site: "han" })) as { packets: unknown }
      expect(viaSocket.packets).toEqual(all.body)

      const since = expectedPacket("han", records[8]!).time_iso
      const later = yield* get(`${url}/radars/han/history?since=${encodeURIComponent(since)}`)
      expect((later.body as ReadonlyArray<{ time_iso: string }>).map((p) => p.time_iso)).toEqual(
        records.slice(9).map((r) => expectedPacket("han", r).time_iso)
      )
      // A known site without packets yet: an empty list.
      expect(yield* get(`${url}/radars/sas/history`)).toMatchObject({ status: 200, body: [] })

      expect(yield* get(`${url}/radars/han/history?since=yesterday`)).toMatchObject({
        status: 400,
        body: { message: expect.stringMatching(/^since must be an ISO 8601 date-time/) }
      })
      const huge = yield* get(`${url}/radars/han/history?since=${"9".repeat(5000)}`)
      expect(huge.status).toBe(400)
      expect(JSON.stringify(huge.body)).not.toContain("99999")
      expect(yield* get(`${url}/radars/zzz/history`)).toEqual(
        expect.objectContaining({ status: 404, body: { message: "site is not a radar of this hub" } })
      )
      expect(yield* get(`${url}/radars/${"x".repeat(40)}/history`)).toMatchObject({ status: 400 })
    }).pipe(Effect.provide(layer)))

  it("is in the OpenAPI document", () => {
    const spec = OpenApi.fromApi(HubApi) as unknown as { paths: Record<string, Record<string, { responses: object }>> }
    const operation = spec.paths["/radars/{site}/history"]!["get"]!
    expect(Object.keys(operation.responses).sort()).toEqual(["200", "400", "404"])
  })
})
