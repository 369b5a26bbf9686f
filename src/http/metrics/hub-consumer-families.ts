/** How far behind each hub consumer is; what it dropped is already an Effect counter. */
import type { ConsumerStats } from "../../layers/realtime/Hub.js"
import type { MetricFamily } from "./prometheus-text.js"

export const hubConsumerFamilies = (stats: ReadonlyArray<ConsumerStats>): ReadonlyArray<MetricFamily> => [
  {
    name: "superdarn_hub_consumer_queued_records",
    help: "Records waiting in a hub consumer's buffer",
    type: "gauge",
    samples: stats.map((s) => ({ suffix: "", labels: [["consumer", s.consumer]], value: s.queued }))
  }
]
