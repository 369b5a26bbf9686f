/** The handler of `GET /radars`: the registry's snapshot joined with the radar table. */
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { radarList } from "../domain/radar-list.js"
import { radarTable } from "../domain/radar-table.js"
import { RadarRegistry } from "../layers/realtime/RadarRegistry.js"
import { HubApi } from "./hub-api.js"
import { noStore } from "./no-store.js"

export const RadarsHttp = HttpApiBuilder.group(HubApi, "radars", (handlers) =>
  Effect.gen(function*() {
    const registry = yield* RadarRegistry
    const table = radarTable()
    return handlers.handle("list", () =>
      Effect.zipRight(noStore, Effect.map(registry.snapshot, (statuses) => radarList(statuses, (site) => table.byCode.get(site)))))
  }))
