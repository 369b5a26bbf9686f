/** `GET /radars`: the configured radars with their table metadata and live state. */
import { HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { radarList } from "../domain/radar-list.js"
import { radarTable } from "../domain/radar-table.js"
import { RadarRegistry } from "../layers/realtime/RadarRegistry.js"
import { ApiRouter } from "./ApiRouter.js"

export const RadarsRoutes = ApiRouter.use((router) =>
  Effect.gen(function*() {
    const registry = yield* RadarRegistry
    const table = radarTable()
    yield* router.get(
      "/radars",
      Effect.map(registry.snapshot, (statuses) =>
        HttpServerResponse.unsafeJson(radarList(statuses, (site) => table.byCode.get(site)), {
          headers: { "cache-control": "no-store" }
        }))
    )
  })
)
