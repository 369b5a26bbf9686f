/** The handler of `GET /radars`: the registry's snapshot joined with the radar table. */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { radarList } from "../domain/radar-list.js"
import { radarTable } from "../domain/radar-table.js"
import { HardwareTables } from "../layers/realtime/HardwareTables.js"
import { RadarRegistry } from "../layers/realtime/RadarRegistry.js"
import { HubApi } from "./hub-api.js"
import { noStore } from "./no-store.js"

export const RadarsHttp = HttpApiBuilder.group(HubApi, "radars", (handlers) =>
  Effect.gen(function*() {
    const registry = yield* RadarRegistry
    const table = radarTable()
    // Positions when the server has the hardware tables (tests may leave them out).
    const hardware = Option.getOrUndefined(yield* Effect.serviceOption(HardwareTables))
    return handlers.handle("list", () =>
      Effect.zipRight(
        noStore,
        Effect.flatMap(registry.snapshot, (statuses) =>
          Effect.map(
            hardware === undefined ? Effect.succeed(new Map()) : hardware.positions(statuses.keys()),
            (positions) => radarList(statuses, (site) => table.byCode.get(site), (site) => positions.get(site))
          ))
      ))
  }))
