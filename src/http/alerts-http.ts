/**
 * The handler of `GET /alerts`: the Alerts service's recent notices. A process
 * without the service (the scaled-out roles send no alerts) answers an empty list.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Alerts } from "../layers/realtime/Alerts.js"
import { HubApi } from "./hub-api.js"
import { noStore } from "./no-store.js"

export const AlertsHttp = HttpApiBuilder.group(
  HubApi,
  "alerts",
  (handlers) =>
    Effect.map(Effect.serviceOption(Alerts), (alerts) => {
      const recent = Option.match(alerts, { onNone: () => Effect.succeed([]), onSome: (service) => service.recent })
      return handlers.handle("recent", () => Effect.zipRight(noStore, recent))
    })
)
