/**
 * Every metric registered with Effect's Metric API (a `Metric.snapshot`) as
 * Prometheus families. Counters are named with `_total`; histogram buckets
 * are already cumulative in Effect, and MetricBoundaries always ends them
 * with +Inf, as the format requires; a frequency becomes a
 * counter with one series per observed value (label `key`).
 */
import { MetricState, Option } from "effect"
import type { MetricPair } from "effect"
import { formatValue, type Labels, type MetricFamily, type Sample } from "./prometheus-text.js"

const withTotal = (name: string): string => (name.endsWith("_total") ? name : `${name}_total`)

const familyOf = (pair: MetricPair.MetricPair.Untyped): MetricFamily | undefined => {
  const key = pair.metricKey
  const state: unknown = pair.metricState
  const labels: Labels = key.tags.map((tag) => [tag.key, tag.value] as const)
  const help = Option.getOrElse(key.description, () => key.name)
  if (MetricState.isCounterState(state)) {
    return { name: withTotal(key.name), help, type: "counter", samples: [{ suffix: "", labels, value: state.count }] }
  }
  if (MetricState.isGaugeState(state)) {
    return { name: key.name, help, type: "gauge", samples: [{ suffix: "", labels, value: state.value }] }
  }
  if (MetricState.isHistogramState(state)) {
    const samples: Array<Sample> = state.buckets.map(([boundary, count]) => ({
      suffix: "_bucket",
      labels: [...labels, ["le", formatValue(boundary)]],
      value: count
    }))
    samples.push({ suffix: "_sum", labels, value: state.sum }, { suffix: "_count", labels, value: state.count })
    return { name: key.name, help, type: "histogram", samples }
  }
  if (MetricState.isSummaryState(state)) {
    const samples: Array<Sample> = state.quantiles.map(([quantile, value]) => ({
      suffix: "",
      labels: [...labels, ["quantile", String(quantile)]],
      value: Option.getOrElse(value, () => Number.NaN)
    }))
    samples.push({ suffix: "_sum", labels, value: state.sum }, { suffix: "_count", labels, value: state.count })
    return { name: key.name, help, type: "summary", samples }
  }
  if (MetricState.isFrequencyState(state)) {
    const samples: Array<Sample> = [...state.occurrences].map(([value, count]) => ({
      suffix: "",
      labels: [...labels, ["key", value]],
      value: count
    }))
    return { name: withTotal(key.name), help, type: "counter", samples }
  }
  return undefined
}

export const effectMetricFamilies = (snapshot: Iterable<MetricPair.MetricPair.Untyped>): ReadonlyArray<MetricFamily> => {
  const families: Array<MetricFamily> = []
  for (const pair of snapshot) {
    const family = familyOf(pair)
    if (family !== undefined) families.push(family)
  }
  return families
}
